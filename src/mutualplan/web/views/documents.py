"""Downloads of the plan as PDF and XLSX, for the seller (plan page) and the buyer (share
link). Both are made from the buyer read model: the seller downloads what the buyer gets."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from mutualplan.documents import file_name
from mutualplan.documents.pdf import plan_pdf
from mutualplan.documents.xlsx import plan_xlsx
from mutualplan.plans.buyer_view import buyer_plan
from mutualplan.plans.models import Plan
from mutualplan.web.views.buyer import _link, link_page
from mutualplan.web.views.plans import seller_plan
from mutualplan.workspaces.clock import today_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_KINDS: dict[str, tuple[str, Callable[..., bytes]]] = {
    "pdf": ("application/pdf", plan_pdf),
    "xlsx": (XLSX, plan_xlsx),
}


def document_response(plan: Plan, kind: str) -> HttpResponse:
    """The plan as a `kind` file ("pdf" or "xlsx"), as an attachment with a safe name."""
    if kind not in _KINDS:
        raise Http404("no such format")
    content_type, render = _KINDS[kind]
    view = buyer_plan(plan)
    response = HttpResponse(render(view, today_for(plan.workspace)), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        True, file_name(view.account_name, kind)
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def seller_document(request: HttpRequest, plan_id: int, kind: str) -> HttpResponse:
    return document_response(seller_plan(request, plan_id), kind)


@link_page
@require_GET
def buyer_document(request: HttpRequest, token: str, kind: str) -> HttpResponse:
    """Anyone holding a live link may download: the file is what the link's page shows (and
    what the emailed attachment holds). A revoked or expired link answers 410."""
    return document_response(_link(request, token).plan, kind)

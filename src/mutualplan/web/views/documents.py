"""Downloads of the plan as PDF and XLSX, for the seller (plan page) and the buyer (share
link). Both are made from the buyer read model: the seller downloads what the buyer gets."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from mutualplan.documents.download import KINDS, document_response
from mutualplan.web.views.buyer import _link, link_page
from mutualplan.web.views.plans import seller_plan


@login_required
@require_GET
def seller_document(request: HttpRequest, plan_id: int, kind: str) -> HttpResponse:
    if kind not in KINDS:
        raise Http404("no such format")
    return document_response(seller_plan(request, plan_id), kind)


@link_page
@require_GET
def buyer_document(request: HttpRequest, token: str, kind: str) -> HttpResponse:
    """Anyone holding a live link may download: the file is what the link's page shows (and
    what the emailed attachment holds). A revoked or expired link answers 410."""
    if kind not in KINDS:
        raise Http404("no such format")
    return document_response(_link(request, token).plan, kind)

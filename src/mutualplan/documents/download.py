"""The plan as a downloaded file: one response for the seller's page, the buyer's link and
the API, built from the buyer read model."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpResponse
from django.utils.http import content_disposition_header

from mutualplan.documents import file_name
from mutualplan.documents.pdf import plan_pdf
from mutualplan.documents.xlsx import plan_xlsx
from mutualplan.plans.buyer_view import buyer_plan
from mutualplan.plans.calendar_view import plan_calendar
from mutualplan.plans.errors import NotFound
from mutualplan.plans.models import Plan
from mutualplan.workspaces.clock import today_for

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KINDS: dict[str, tuple[str, Callable[..., bytes]]] = {
    "pdf": (PDF, plan_pdf),
    "xlsx": (XLSX, plan_xlsx),
}


def file_response(content: bytes, content_type: str, name: str) -> HttpResponse:
    """A downloaded file: an attachment with a safe name, never cached or sniffed."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def document_response(plan: Plan, kind: str) -> HttpResponse:
    """The plan as a `kind` file ("pdf" or "xlsx"), an attachment with a safe name."""
    if kind not in KINDS:
        raise NotFound(f"no {kind[:20]!r} format: pdf or xlsx")
    content_type, render = KINDS[kind]
    view = buyer_plan(plan)
    return file_response(
        render(view, today_for(plan.workspace)), content_type, file_name(view.account_name, kind)
    )


ICS = "text/calendar; charset=utf-8"


def calendar_response(plan: Plan) -> HttpResponse:
    """The plan's dates as an .ics attachment: the same events, UIDs and buyer-safe content
    as the plan's calendar feed."""
    return file_response(plan_calendar(plan), ICS, file_name(plan.deal.account_name, "ics"))

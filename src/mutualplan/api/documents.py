"""The plan as a file through the API: the PDF and the XLSX a champion gets, made from the
buyer read model (no deal, no private notes), for the seller to attach or archive."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from mutualplan.api.auth import seller
from mutualplan.api.responses import answers
from mutualplan.documents.download import PDF, XLSX, document_response
from mutualplan.plans import access

router = Router(tags=["plans"])


def _file(content_type: str, what: str) -> dict[str, Any]:
    """The 200 answer declared as a binary file instead of JSON."""
    return {
        "responses": {
            200: {
                "description": f"The plan as {what}, as the buyer sees it (an attachment)",
                "content": {content_type: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    }


@router.get(
    "/plans/{int:plan_id}/export/pdf",
    response=answers({200: None}, 401, 404),
    openapi_extra=_file(PDF, "a PDF"),
)
def export_pdf(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The plan as a PDF: target date and reason, progress, the table, high-risk steps and
    the timeline; only what the buyer sees."""
    workspace, _ = seller(request)
    return document_response(access.get_plan(workspace, plan_id), "pdf")


@router.get(
    "/plans/{int:plan_id}/export/xlsx",
    response=answers({200: None}, 401, 404),
    openapi_extra=_file(XLSX, "a spreadsheet"),
)
def export_xlsx(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The plan as a spreadsheet: Milestone, Owner, Due date (date cells), Status, Notes;
    text that would run as a formula is stored as text."""
    workspace, _ = seller(request)
    return document_response(access.get_plan(workspace, plan_id), "xlsx")

"""Plans as files and back: one plan in any format, the workspace's plans as one table, a
plan imported from a file, and a spreadsheet imported through a column mapping and preview.
Every format is a plug-in of `mutualplan.formats`.

The API takes only JSON bodies (see api/middleware.py), so a spreadsheet comes as base64 in
a JSON body (`POST /plans/import/sheet[/preview]`) rather than as a multipart upload. The
preview and the import are two operations, each with its one success code."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from mutualplan import formats
from mutualplan.api.auth import seller
from mutualplan.api.responses import answers, render
from mutualplan.api.schemas.imports import SheetImportIn, SheetPreviewIn, SheetPreviewOut
from mutualplan.api.schemas.plans import SellerPlanOut
from mutualplan.documents.download import file_response
from mutualplan.plans import access, exports
from mutualplan.plans.errors import Invalid
from mutualplan.plans.exports import ExportFile
from mutualplan.plans.seller_view import plan_dict
from mutualplan.plans.services import imports, sheet_imports
from mutualplan.plans.sheet_view import preview_dict

router = Router(tags=["files"])

PLAN_FORMATS = ", ".join(formats.names())
TABLE_FORMATS = ", ".join(formats.names(formats.WorkspaceFormat))
READ_FORMATS = ", ".join(formats.names(formats.ReadableFormat))


def _file(what: str, names: list[str]) -> dict[str, Any]:
    """The 200 answer declared as a file in one of the formats `names` instead of JSON."""
    content: dict[str, Any] = {}
    for name in names:
        found = formats.get(name)
        is_json = found.content_type == "application/json"
        schema = {"type": "object"} if is_json else {"type": "string", "format": "binary"}
        content[found.content_type] = {"schema": schema}
    return {"responses": {200: {"description": what, "content": content}}}


def _download(found: ExportFile) -> HttpResponse:
    return file_response(found.content, found.content_type, found.file_name)


@router.get(
    "/plans/{int:plan_id}/export",
    response=answers({200: None}, 401, 400, 404),
    openapi_extra=_file("The plan as a file (an attachment)", formats.names()),
)
def export_plan(
    request: HttpRequest,
    plan_id: int,
    format: str = Query(..., max_length=40, description=f"One of {PLAN_FORMATS}"),
) -> HttpResponse:
    """The plan as CSV or XLSX (Milestone, Owner side, Owner team, Owner person, Due date,
    Status, Step type, High risk, Notes), Markdown (a table to paste into Notion or
    Confluence) or JSON (lossless: `POST /plans/import` gives the same plan back)."""
    workspace, _ = seller(request)
    plan = access.get_plan(workspace, plan_id)
    return _download(exports.export_plan(plan, format))


@router.get(
    "/export",
    response=answers({200: None}, 401, 400),
    openapi_extra=_file(
        "The workspace's plans as one table (an attachment)", formats.names(formats.WorkspaceFormat)
    ),
)
def export_workspace(
    request: HttpRequest,
    format: str = Query(..., max_length=40, description=f"One of {TABLE_FORMATS}"),
) -> HttpResponse:
    """Every plan of the workspace as one CSV or XLSX for RevOps: one row per milestone with
    the deal's fields (account, account type, stage, amount, currency, owner, CRM reference,
    plan status, target date)."""
    workspace, _ = seller(request)
    return _download(exports.export_workspace(workspace, format))


@router.post(
    "/plans/import",
    response=answers({201: SellerPlanOut}, 401, 400, 413, 415),
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "The file, e.g. the JSON of `GET /plans/{id}/export?format=json`",
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["format", "version", "deal"],
                        "properties": {
                            "format": {"type": "string", "const": "mutualplan.plan"},
                            "version": {"type": "integer", "const": 1},
                            "deal": {"type": "object"},
                            "plan": {"type": "object"},
                            "stakeholders": {"type": "array", "items": {"type": "object"}},
                            "milestones": {"type": "array", "items": {"type": "object"}},
                        },
                    }
                }
            },
        }
    },
)
def import_plan(
    request: HttpRequest,
    format: str = Query("json", max_length=40, description=f"One of {READ_FORMATS}"),
) -> HttpResponse:
    """Create a new deal and plan in your workspace from a file: all of it in one go, or
    nothing, with every bad field named."""
    workspace, actor = seller(request)
    plan = imports.import_plan_file(workspace, actor, request.body, format)
    return render(SellerPlanOut, plan_dict(access.get_plan(workspace, plan.id)), 201)


def _decode(content_base64: str) -> bytes:
    try:
        return base64.b64decode(content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise Invalid.field("content_base64", "is not base64") from None


@router.post(
    "/plans/import/sheet/preview", response=answers({200: SheetPreviewOut}, 401, 400, 413, 415)
)
def preview_sheet(request: HttpRequest, payload: SheetPreviewIn) -> HttpResponse:
    """How a spreadsheet (CSV or XLSX as Google Sheets or Excel write them) reads: each
    column as understood (recognised by its header, mapped, or ignored) and every row parsed,
    with each bad row's line and reason. Imports nothing (`save_mapping` keeps the mapping)."""
    workspace, actor = seller(request)
    content = _decode(payload.content_base64)
    preview = sheet_imports.preview_sheet_file(workspace, content, payload.format, payload.mapping)
    if payload.save_mapping:
        sheet_imports.save_mapping(workspace, actor, preview)
    return render(SheetPreviewOut, preview_dict(preview))


@router.post("/plans/import/sheet", response=answers({201: SellerPlanOut}, 401, 400, 413, 415))
def import_sheet(request: HttpRequest, payload: SheetImportIn) -> HttpResponse:
    """A new deal and plan from a spreadsheet, read as `POST /plans/import/sheet/preview`
    shows: every row, or nothing (400) with every bad row named by its line in the file. No
    target date: the plan is a draft."""
    workspace, actor = seller(request)
    content = _decode(payload.content_base64)
    fields = sheet_imports.plan_fields(
        workspace,
        {
            **payload.deal.model_dump(),
            "target_date": payload.target_date,
            "target_reason": payload.target_reason,
        },
    )
    plan = sheet_imports.import_sheet(
        workspace, actor, content, payload.format, fields, payload.mapping, payload.save_mapping
    )
    return render(SellerPlanOut, plan_dict(access.get_plan(workspace, plan.id)), 201)


@router.post(
    "/plans/{int:plan_id}/import/sheet",
    response=answers({201: SellerPlanOut}, 401, 400, 404, 413, 415),
)
def add_sheet_rows(request: HttpRequest, plan_id: int, payload: SheetPreviewIn) -> HttpResponse:
    """Add a spreadsheet's rows at the end of one of your plans, read as
    `POST /plans/import/sheet/preview` shows: every row, or none (400) with every bad row
    named by its line. An owner person must already be one of the plan's people."""
    workspace, actor = seller(request)
    plan = access.get_plan(workspace, plan_id)
    content = _decode(payload.content_base64)
    sheet_imports.add_sheet_rows(
        plan, actor, content, payload.format, payload.mapping, payload.save_mapping
    )
    return render(SellerPlanOut, plan_dict(access.get_plan(workspace, plan.id)), 201)

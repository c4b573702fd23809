"""The "Import a plan" page: upload a spreadsheet (CSV, XLSX), see how each column and row
reads, re-map any column with a select and preview again, then import every row or nothing.
No JavaScript needed: the file travels back with each preview as a hidden base64 field, so
nothing is stored before the import."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from mutualplan.formats.sheet import FIELDS, SheetPreview, row_summary
from mutualplan.plans.actors import Actor
from mutualplan.plans.errors import DomainError, Invalid
from mutualplan.plans.services import sheet_imports
from mutualplan.web.context import workspace_or_404


def _content(request: HttpRequest) -> tuple[bytes, str]:
    """The file: just uploaded, or carried back by the preview form."""
    upload = request.FILES.get("file")
    if upload is not None:
        return upload.read(), upload.name or ""
    try:
        content = base64.b64decode(request.POST.get("content", ""), validate=True)
    except (binascii.Error, ValueError):
        raise Invalid.field("file", "could not be read back: upload it again") from None
    if not content:
        raise Invalid.field("file", "choose a CSV or XLSX file")
    return content, request.POST.get("file_name", "")


def _mapping(request: HttpRequest) -> dict[str, str]:
    """The preview's selects, one per column by its number."""
    return {
        key.removeprefix("map-"): str(request.POST.get(key, ""))
        for key in request.POST
        if key.startswith("map-") and key.removeprefix("map-").isdigit()
    }


def _target(request: HttpRequest) -> dt.date | None:
    raw = request.POST.get("target_date", "").strip()
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        raise Invalid.field("target_date", "is not a date (YYYY-MM-DD)") from None


def _rows(preview: SheetPreview) -> list[dict[str, Any]]:
    return [
        {
            "line": r.line,
            "cells": row_summary(r.milestone) if r.milestone else None,
            "errors": r.errors,
        }
        for r in preview.rows
    ]


@login_required
def import_plan(request: HttpRequest) -> HttpResponse:
    workspace = workspace_or_404(request)
    context: dict[str, Any] = {
        "workspace": workspace,
        "values": request.POST if request.method == "POST" else {},
        "fields": [("", "ignored"), *FIELDS.items()],
    }
    if request.method != "POST":
        return render(request, "plans/import.html", context)
    actor = Actor.seller(request.user)
    try:
        content, file_name = _content(request)
        format_name = sheet_imports.sheet_format_for(file_name, request.POST.get("format", ""))
        if not format_name:
            raise Invalid.field("file", "is not a .csv or .xlsx file: choose its format")
        context |= {
            "content": base64.b64encode(content).decode("ascii"),
            "file_name": file_name,
            "format": format_name,
        }
        mapping = _mapping(request)
        if request.POST.get("action") == "import":
            fields = sheet_imports.plan_fields(
                workspace,
                {**request.POST.dict(), "target_date": _target(request)},
            )
            plan = sheet_imports.import_sheet(
                workspace,
                actor,
                content,
                format_name,
                fields,
                mapping,
                remember=bool(request.POST.get("save_mapping")),
            )
            count = plan.milestones.count()
            messages.success(request, f"Imported {count} row{'s' if count != 1 else ''}.")
            return redirect("plan", plan.id)
        preview = sheet_imports.preview_sheet_file(workspace, content, format_name, mapping)
        context |= {"preview": preview, "rows": _rows(preview)}
    except DomainError as exc:
        context["errors"] = exc.errors or [{"field": "", "message": exc.detail}]
        if "content" in context and "preview" not in context:
            # A bad deal field or a bad row on import: show the preview again with the errors.
            try:
                preview = sheet_imports.preview_sheet_file(
                    workspace, content, context["format"], _mapping(request)
                )
                context |= {"preview": preview, "rows": _rows(preview)}
            except DomainError:
                pass
    return render(request, "plans/import.html", context, status=400 if "errors" in context else 200)

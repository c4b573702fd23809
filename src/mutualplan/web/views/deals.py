"""The seller's CRM import page: upload a Salesforce, HubSpot or other export, see how each
column reads and what the import would do (a dry run), re-map any column with a select and
preview again, then import every deal or nothing. No JavaScript needed: the file travels back
with each preview as a hidden base64 field, so nothing is stored before the import."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from mutualplan.crm.fields import FIELDS, IGNORE
from mutualplan.crm.reader import SOURCES
from mutualplan.plans.actors import Actor
from mutualplan.plans.errors import DomainError, Invalid
from mutualplan.plans.services import deal_imports, deal_mappings
from mutualplan.plans.services.templates import available_templates
from mutualplan.web.context import current_workspace


def _content(request: HttpRequest) -> bytes:
    """The file: just uploaded, or carried back by the preview form."""
    upload = request.FILES.get("file")
    if upload is not None:
        return upload.read()
    try:
        content = base64.b64decode(request.POST.get("content", ""), validate=True)
    except (binascii.Error, ValueError):
        raise Invalid.field("file", "could not be read back: upload it again") from None
    if not content:
        raise Invalid.field("file", "choose the CSV or XLSX export to import")
    return content


def _mapping(request: HttpRequest) -> dict[str, str]:
    """The preview's selects: column header (a hidden field by the column's number) -> field."""
    mapping: dict[str, str] = {}
    for key in request.POST:
        number = key.removeprefix("map-")
        header = str(request.POST.get(f"header-{number}", "")).strip()
        if key.startswith("map-") and number.isdigit() and header:
            mapping[header] = str(request.POST.get(key, ""))
    return mapping


@login_required
def import_deals_page(request: HttpRequest) -> HttpResponse:
    workspace = current_workspace(request)
    if workspace is None:
        raise Http404("you are not a member of any workspace")
    form = request.POST if request.method == "POST" else {"source": "auto"}
    context: dict[str, Any] = {
        "workspace": workspace,
        "sources": SOURCES,
        "templates": available_templates(workspace),
        "fields": [*FIELDS, IGNORE],
        "values": form,
    }
    if request.method != "POST":
        return render(request, "deals/import.html", context)
    importing = request.POST.get("action") == "import"
    try:
        content = _content(request)
        context["content"] = base64.b64encode(content).decode("ascii")
        preview = deal_mappings.preview_deal_file(
            workspace, content, str(form.get("source") or "auto"), _mapping(request)
        )
        context["preview"] = preview
        context["result"] = deal_imports.import_preview(
            workspace,
            Actor.seller(request.user),
            preview,
            create_plans=bool(form.get("create_plans")),
            template=str(form.get("template") or "standard"),
            dry_run=not importing,
            remember=bool(form.get("save_mapping")),
        )
        context["imported"] = importing
    except DomainError as exc:
        context["errors"] = exc.errors or [{"field": "", "message": exc.detail}]
    return render(request, "deals/import.html", context, status=400 if "errors" in context else 200)

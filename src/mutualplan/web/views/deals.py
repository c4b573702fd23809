"""The seller's CRM import page: upload a Salesforce, HubSpot or other export, see what it
did (or would do) and every bad row. A plain form: no script needed."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from mutualplan.crm.reader import SOURCES
from mutualplan.plans.actors import Actor
from mutualplan.plans.errors import Invalid
from mutualplan.plans.services import deal_imports
from mutualplan.plans.services.templates import available_templates
from mutualplan.web.context import current_workspace


def _mapping(text: str) -> list[str]:
    """One "Column=field" a line, blank lines skipped."""
    return [line.strip() for line in text.splitlines() if line.strip()]


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
        "values": form,
    }
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise Invalid.field("file", "choose the CSV or XLSX export to import")
            context["result"] = deal_imports.import_deals(
                workspace,
                Actor.seller(request.user),
                upload.read(),
                source=str(form.get("source") or "auto"),
                mapping=_mapping(str(form.get("mapping") or "")),
                create_plans=bool(form.get("create_plans")),
                template=str(form.get("template") or "standard"),
                dry_run=bool(form.get("dry_run")),
            )
        except Invalid as exc:
            context["errors"] = exc.errors or [{"field": "", "message": exc.detail}]
            status = 400
    return render(request, "deals/import.html", context, status=status)

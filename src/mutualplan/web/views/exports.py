"""The seller's downloads of plans as files: one plan in any registered format (plan page),
and the workspace's plans as one table (dashboard)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from mutualplan.documents.download import file_response
from mutualplan.plans import exports
from mutualplan.plans.errors import Invalid
from mutualplan.web.context import workspace_or_404
from mutualplan.web.views.plans import seller_plan


@login_required
@require_GET
def plan_export(request: HttpRequest, plan_id: int, ext: str) -> HttpResponse:
    plan = seller_plan(request, plan_id)
    try:
        found = exports.export_plan(plan, ext)
    except Invalid:
        raise Http404("no such format") from None
    return file_response(found.content, found.content_type, found.file_name)


@login_required
@require_GET
def workspace_export(request: HttpRequest, ext: str) -> HttpResponse:
    workspace = workspace_or_404(request)
    try:
        found = exports.export_workspace(workspace, ext)
    except Invalid:
        raise Http404("no such format") from None
    return file_response(found.content, found.content_type, found.file_name)

"""The pipeline forecast page (`/forecast/`) and its CSV download."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from mutualplan.core.pipeline_chart import PipelineBar, render_pipeline_chart
from mutualplan.documents.download import file_response
from mutualplan.plans import pipeline
from mutualplan.web.context import workspace_or_404


def pipeline_filters(params: Any) -> tuple[pipeline.PipelineFilters, int]:
    """The filters the query string asks for; a value the page never offers is ignored."""
    owner = params.get("owner") or ""
    quarters = params.get("quarters") or ""
    count = int(quarters) if quarters.isascii() and quarters.isdigit() and len(quarters) < 3 else 0
    filters = pipeline.PipelineFilters(
        owner_id=int(owner) if owner.isascii() and owner.isdigit() and len(owner) < 19 else None,
        account_type=(params.get("account_type") or "")[:50] or None,
    )
    in_range = 1 <= count <= pipeline.MAX_QUARTERS
    return filters, count if in_range else pipeline.DEFAULT_QUARTERS


@login_required
@require_GET
def pipeline_page(request: HttpRequest) -> HttpResponse:
    workspace = workspace_or_404(request)
    filters, quarters = pipeline_filters(request.GET)
    result = pipeline.workspace_pipeline(workspace, filters, quarters)
    parts = [
        (
            part,
            render_pipeline_chart(
                [
                    PipelineBar(q.quarter.label, q.expected_amount, q.p10, q.p90)
                    for q in part.quarters
                ],
                part.currency,
                id_prefix=f"pipeline-{part.currency}",
            ),
        )
        for part in result.forecast.currencies
    ]
    owners = workspace.memberships.select_related("user").order_by("user__first_name")
    return render(
        request,
        "pipeline.html",
        {
            "workspace": workspace,
            "result": result,
            "forecast": result.forecast,
            "parts": parts,
            "chance": pipeline.chance_label(result),
            "win_rates": result.win_rates,
            "prior_deals": pipeline.PRIOR_DEALS,
            "owners": [m.user for m in owners],
            "account_types": workspace.account_types,
            "quarter_choices": range(1, pipeline.MAX_QUARTERS + 1),
            "chosen": {
                "owner": filters.owner_id,
                "account_type": filters.account_type,
                "quarters": quarters,
            },
            "query": request.GET.urlencode(),
        },
    )


@login_required
@require_GET
def pipeline_csv(request: HttpRequest) -> HttpResponse:
    workspace = workspace_or_404(request)
    filters, quarters = pipeline_filters(request.GET)
    result = pipeline.workspace_pipeline(workspace, filters, quarters)
    return file_response(
        pipeline.pipeline_csv(result),
        "text/csv; charset=utf-8",
        f"pipeline-{result.forecast.today.isoformat()}.csv",
    )

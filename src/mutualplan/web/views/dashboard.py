"""The seller dashboard: every plan of the workspace, with health at a glance."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from mutualplan.core.vocab import PlanStatus
from mutualplan.plans import queries
from mutualplan.plans.seller_view import plan_summary
from mutualplan.web.context import current_workspace
from mutualplan.workspaces.clock import today_for

PAGE_SIZE = 25


def dashboard_filters(params: Any) -> queries.PlanFilters:
    """The list the query string asks for; a value the page never offers is ignored."""
    status = params.get("status")
    owner = params.get("owner") or ""
    return queries.PlanFilters(
        status=status if status in PlanStatus.__members__.values() else None,
        owner_id=int(owner) if owner.isascii() and owner.isdigit() and len(owner) < 19 else None,
        account_type=params.get("account_type") or None,
        account_name=(params.get("q") or "")[:100] or None,
        sort=params.get("sort") or "target",
    )


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    workspace = current_workspace(request)
    if workspace is None:
        return render(request, "dashboard.html", {"no_workspace": True})
    today = today_for(workspace)
    plans = queries.plan_list(workspace, dashboard_filters(request.GET), today)
    page = Paginator(plans, PAGE_SIZE).get_page(request.GET.get("page"))
    # Each plan with its figures as the API and the command line give them.
    rows = [(plan, plan_summary(plan, today)) for plan in page.object_list]
    owners = workspace.memberships.select_related("user").order_by("user__first_name")
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "dashboard.html",
        {
            "workspace": workspace,
            "page": page,
            "rows": rows,
            "today": today,
            "filters": request.GET,
            "query": query.urlencode(),
            "statuses": [s.value for s in PlanStatus],
            "account_types": workspace.account_types,
            "owners": [m.user for m in owners],
            "sorts": queries.PLAN_SORTS.keys(),
        },
    )

"""The seller dashboard: every plan of the workspace, with health at a glance."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from mutualplan.core.health import HEALTH_CODES
from mutualplan.core.introduce import introduced_late
from mutualplan.core.vocab import PlanStatus
from mutualplan.plans import health as plan_health
from mutualplan.plans import queries
from mutualplan.plans.diagnostics import deals_to_introduce
from mutualplan.plans.next_actions import next_actions_by_plan
from mutualplan.plans.seller_view import plan_summary
from mutualplan.web.context import current_workspace
from mutualplan.workspaces.clock import today_for

PAGE_SIZE = 25
# Samples per plan for the top action of each listed plan: the plan page draws 2,000.
DASHBOARD_SAMPLES = 1_000


def dashboard_filters(params: Any) -> queries.PlanFilters:
    """The list the query string asks for; a value the page never offers is ignored."""
    status = params.get("status")
    owner = params.get("owner") or ""
    health = params.get("health")
    return queries.PlanFilters(
        status=status if status in PlanStatus.__members__.values() else None,
        owner_id=int(owner) if owner.isascii() and owner.isdigit() and len(owner) < 19 else None,
        account_type=params.get("account_type") or None,
        account_name=(params.get("q") or "")[:100] or None,
        health=health if health in HEALTH_CODES else None,
        sort=params.get("sort") or "target",
    )


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    workspace = current_workspace(request)
    if workspace is None:
        return render(request, "dashboard.html", {"no_workspace": True})
    today = today_for(workspace)
    filters = dashboard_filters(request.GET)
    # The stored codes of the listed plans (health filter aside) give the count per code and
    # the filter; the page's own plans get their findings, messages included.
    listed = queries.filtered_plans(workspace, filters)
    plan_health.refresh_health(workspace, listed, today)
    plans = queries.plan_list(workspace, filters, today)
    page = Paginator(plans, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    facts = plan_health.facts_by_plan(workspace, shown, today)
    health = plan_health.health_of(workspace, facts, today)
    # The top next best action of each open plan shown (seller only, like the health codes),
    # read from the same facts.
    actions = next_actions_by_plan(workspace, shown, today, samples=DASHBOARD_SAMPLES, facts=facts)
    # Each plan with its figures as the API and the command line give them.
    rows = [
        (
            plan,
            plan_summary(plan, today, health[plan.id]),
            health[plan.id],
            # A dashboard note, not a health code: it reads the deal's stage (seller only).
            introduced_late(plan.deal.stage, plan.confirmed_at is not None),
            next(iter(actions.get(plan.id, [])), None),
        )
        for plan in shown
    ]
    introduce, more_to_introduce = deals_to_introduce(workspace)
    without_health = request.GET.copy()
    without_health.pop("page", None)
    without_health.pop("health", None)
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
            "health_counts": plan_health.health_counts(listed),
            "health_filter": filters.health,
            "query_without_health": without_health.urlencode(),
            "introduce": introduce,
            "more_to_introduce": more_to_introduce,
        },
    )

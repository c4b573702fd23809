"""The seller dashboard: every plan of the workspace, with health at a glance."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from mutualplan.core.vocab import PlanStatus
from mutualplan.plans import access, queries
from mutualplan.plans.models import Milestone, Plan
from mutualplan.web.context import current_workspace

PAGE_SIZE = 25
SORTS: dict[str, tuple[Any, ...]] = {
    "target": (F("target_date").asc(nulls_last=True), "id"),
    "-target": (F("target_date").desc(nulls_last=True), "-id"),
    "amount": ("deal__amount", "id"),
    "-amount": ("-deal__amount", "-id"),
    "account": ("deal__account_name", "id"),
    "-account": ("-deal__account_name", "-id"),
    "activity": (F("last_buyer_activity_at").desc(nulls_last=True), "-id"),
    "updated": ("-updated_at", "-id"),
}


def dashboard_plans(workspace: Any, params: Any, today: dt.date) -> QuerySet[Plan]:
    """The workspace's plans, filtered and sorted as asked, each with its next due step."""
    qs = access.plan_queryset(workspace)
    if params.get("status") in PlanStatus.__members__.values():
        qs = qs.filter(status=params["status"])
    if params.get("owner"):
        qs = qs.filter(deal__owner_id=params["owner"]) if params["owner"].isdigit() else qs
    if params.get("account_type"):
        qs = qs.filter(deal__account_type=params["account_type"])
    if params.get("q"):
        qs = qs.filter(Q(deal__account_name__icontains=params["q"][:100]))
    next_step = Milestone.objects.filter(
        plan=OuterRef("pk"), status__in=queries.OPEN, due_date__isnull=False
    ).order_by("due_date", "position")
    qs = queries.plan_list(qs, today).annotate(
        next_title=Subquery(next_step.values("title")[:1]),
        next_due=Subquery(next_step.values("due_date")[:1]),
    )
    return qs.order_by(*SORTS.get(params.get("sort", ""), SORTS["target"]))


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    workspace = current_workspace(request)
    if workspace is None:
        return render(request, "dashboard.html", {"no_workspace": True})
    today = dt.date.today()
    page = Paginator(dashboard_plans(workspace, request.GET, today), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for plan in page.object_list:
        left = (plan.target_date - today).days if plan.target_date else None
        plan.days_left = left  # type: ignore[attr-defined]
        plan.days_left_abs = abs(left or 0)  # type: ignore[attr-defined]
    owners = workspace.memberships.select_related("user").order_by("user__first_name")
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "dashboard.html",
        {
            "workspace": workspace,
            "page": page,
            "today": today,
            "filters": request.GET,
            "query": query.urlencode(),
            "statuses": [s.value for s in PlanStatus],
            "account_types": workspace.account_types,
            "owners": [m.user for m in owners],
            "sorts": SORTS.keys(),
        },
    )

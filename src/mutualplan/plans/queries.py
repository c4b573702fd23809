"""Reads: plans with their rows in a fixed number of queries, and derived plan facts."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Prefetch, Q, QuerySet

from mutualplan.core.feasibility import StepWindow, Warning, feasibility_warnings
from mutualplan.core.vocab import MilestoneStatus
from mutualplan.plans.models import Activity, Milestone, Plan, Slip
from mutualplan.plans.services.calendars import plan_calendar

OPEN = [MilestoneStatus.NOT_STARTED, MilestoneStatus.IN_PROGRESS, MilestoneStatus.BLOCKED]


def milestones_of(plan: Plan) -> list[Milestone]:
    """The plan's rows in order, with owner person and dependency ids: two queries."""
    return list(
        Milestone.objects.filter(plan=plan)
        .select_related("owner_person")
        .prefetch_related(Prefetch("depends_on", queryset=Milestone.objects.only("id")))
        .order_by("position", "id")
    )


def plan_list(qs: QuerySet[Plan], today: dt.date) -> QuerySet[Plan]:
    """Plans with progress counts annotated, for list pages and the API list."""
    return qs.select_related("deal", "deal__owner").annotate(
        rows_total=Count("milestones", distinct=True),
        rows_done=Count(
            "milestones", filter=Q(milestones__status=MilestoneStatus.DONE), distinct=True
        ),
        rows_overdue=Count(
            "milestones",
            filter=Q(milestones__status__in=OPEN, milestones__due_date__lt=today),
            distinct=True,
        ),
    )


def warnings_for(plan: Plan, rows: list[Milestone], today: dt.date) -> list[Warning]:
    """Feasibility warnings for the plan's rows (uses the prefetched dependencies)."""
    steps = [
        StepWindow(
            key=str(m.id),
            title=m.title,
            due_date=m.due_date,
            turnaround_days=m.turnaround_days,
            depends_on=tuple(str(d.id) for d in m.depends_on.all()),
            status=MilestoneStatus(m.status),
        )
        for m in rows
    ]
    return feasibility_warnings(steps, plan.target_date, today, plan_calendar(plan))


def slips_of(plan: Plan) -> QuerySet[Slip]:
    return Slip.objects.filter(plan=plan).select_related("actor_user").order_by("created_at", "id")


def activity_of(plan: Plan) -> QuerySet[Activity]:
    return Activity.objects.filter(plan=plan).order_by("-id")

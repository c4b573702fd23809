"""Reads: plans with their rows in a fixed number of queries, and derived plan facts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Aggregate, CharField, Count, OuterRef, Q, QuerySet, Subquery

from mutualplan.core.feasibility import StepWindow, Warning, feasibility_warnings
from mutualplan.core.vocab import MilestoneStatus
from mutualplan.plans.models import Activity, Milestone, Plan, Slip, Stakeholder
from mutualplan.plans.services.calendars import plan_calendar

OPEN = [MilestoneStatus.NOT_STARTED, MilestoneStatus.IN_PROGRESS, MilestoneStatus.BLOCKED]


ROW_FIELDS = (
    "id",
    "version",
    "position",
    "title",
    "step_type",
    "owner_side",
    "owner_team",
    "owner_person_id",
    "due_date",
    "baseline_due_date",
    "anchor_offset",
    "turnaround_days",
    "status",
    "notes",
    "private_notes",
    "high_risk",
    "risk_checklist",
    "added_by_side",
    "added_by_name",
    "added_at",
    "status_updated_at",
    "status_updated_by",
    "completed_at",
    "confirmed_at",
)


class _IdList(Aggregate):
    """Comma-separated ids: GROUP_CONCAT on SQLite, STRING_AGG on PostgreSQL."""

    function = "GROUP_CONCAT"
    output_field = CharField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            function="STRING_AGG",
            template="%(function)s(%(expressions)s::text, ',')",
            **extra,
        )


def _dependency_ids() -> Subquery:
    links = Milestone.depends_on.through.objects.filter(from_milestone_id=OuterRef("id"))
    grouped = links.values("from_milestone_id").annotate(ids=_IdList("to_milestone_id"))
    return Subquery(grouped.values("ids"))  # type: ignore[misc]  # "ids" is the annotation


def milestone_rows(plan_id: int, ids: list[int] | None = None) -> list[dict[str, Any]]:
    """The plan's rows in order as plain dicts, with `depends_on` ids and `owner_person`.

    One query (two when a row names an owner person) whatever the number of rows; read as
    values, since building model instances for every row is most of the cost of a read.
    """
    rows = Milestone.objects.filter(plan_id=plan_id)
    if ids is not None:
        rows = rows.filter(id__in=ids)
    found = list(
        rows.annotate(dependency_ids=_dependency_ids())
        .order_by("position", "id")
        .values(*ROW_FIELDS, "dependency_ids")
    )
    person_ids = {row["owner_person_id"] for row in found if row["owner_person_id"]}
    people = (
        {
            p["id"]: p
            for p in Stakeholder.objects.filter(id__in=person_ids).values("id", "name", "team")
        }
        if person_ids
        else {}
    )
    for row in found:
        joined = row.pop("dependency_ids")
        row["depends_on"] = sorted(int(i) for i in joined.split(",")) if joined else []
        row["owner_person"] = people.get(row["owner_person_id"])
    return found


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


def warnings_for(plan: Plan, rows: list[dict[str, Any]], today: dt.date) -> list[Warning]:
    """Feasibility warnings for the plan's rows (as read by `milestone_rows`)."""
    steps = [
        StepWindow(
            key=str(m["id"]),
            title=m["title"],
            due_date=m["due_date"],
            turnaround_days=m["turnaround_days"],
            depends_on=tuple(str(d) for d in m["depends_on"]),
            status=MilestoneStatus(m["status"]),
        )
        for m in rows
    ]
    return feasibility_warnings(steps, plan.target_date, today, plan_calendar(plan))


def slips_of(plan: Plan) -> QuerySet[Slip]:
    return Slip.objects.filter(plan=plan).select_related("actor_user").order_by("created_at", "id")


def activity_of(plan: Plan) -> QuerySet[Activity]:
    return Activity.objects.filter(plan=plan).order_by("-id")

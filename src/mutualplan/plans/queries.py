"""Reads: plans with their rows in a fixed number of queries, and derived plan facts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Aggregate,
    Case,
    CharField,
    Count,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from mutualplan.core.feasibility import StepWindow, Warning, feasibility_warnings
from mutualplan.core.vocab import (
    CLOSED_PLAN_STATUSES,
    OPEN_STATUSES,
    ActorKind,
    MilestoneStatus,
)
from mutualplan.db.compiled import CompiledQuery
from mutualplan.plans.errors import Invalid
from mutualplan.plans.models import Activity, Deal, Milestone, Plan, Slip, Stakeholder
from mutualplan.plans.services.calendars import plan_calendar
from mutualplan.workspaces.models import Workspace

# The statuses of a row still to be done, as the database stores them.
_OPEN = sorted(s.value for s in OPEN_STATUSES)

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


def with_dependency_ids(rows: QuerySet[Milestone]) -> QuerySet[Milestone]:
    """Rows with `dependency_ids` annotated: their prerequisites' ids, comma-separated."""
    return rows.annotate(dependency_ids=_dependency_ids())


def parse_ids(joined: str | None) -> list[int]:
    return sorted(int(i) for i in joined.split(",")) if joined else []


def _rows_as_values(rows: QuerySet[Milestone]) -> QuerySet[Milestone, dict[str, Any]]:
    ordered = with_dependency_ids(rows).order_by("position", "id")
    return ordered.values(*ROW_FIELDS, "dependency_ids")


# Every read of a plan reads all its rows: compiled once (see db/compiled.py).
_PLAN_ROWS = CompiledQuery(
    lambda plan_id: _rows_as_values(Milestone.objects.filter(plan_id=plan_id)), plan_id=int
)


def milestone_rows(plan_id: int, ids: list[int] | None = None) -> list[dict[str, Any]]:
    """The plan's rows in order as plain dicts, with `depends_on` ids and `owner_person`.

    One query (two when a row names an owner person) whatever the number of rows; read as
    values, since building model instances for every row is most of the cost of a read.
    """
    if ids is None:
        found = _PLAN_ROWS.fetch(plan_id=plan_id)
    else:
        found = list(_rows_as_values(Milestone.objects.filter(plan_id=plan_id, id__in=ids)))
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
        row["depends_on"] = parse_ids(row.pop("dependency_ids"))
        row["owner_person"] = people.get(row["owner_person_id"])
    return found


def _row_count(**conditions: Any) -> Subquery:
    """How many rows of the outer plan match `conditions` (a correlated subquery)."""
    rows = Milestone.objects.filter(plan=OuterRef("pk"), **conditions).order_by()
    return Subquery(rows.values("plan").annotate(n=Count("id")).values("n"))


# How a plan list can be ordered; every order ends on the id, so pages never overlap.
# Won and lost plans after the open ones when sorting by date: the list is for work still to do.
_CLOSED_LAST = Case(
    When(status__in=CLOSED_PLAN_STATUSES, then=Value(1)),
    default=Value(0),
)
PLAN_SORTS: dict[str, tuple[Any, ...]] = {
    "target": (_CLOSED_LAST, F("target_date").asc(nulls_last=True), "id"),
    "-target": (_CLOSED_LAST, F("target_date").desc(nulls_last=True), "-id"),
    "amount": ("deal__amount", "id"),
    "-amount": ("-deal__amount", "-id"),
    "account": ("deal__account_name", "id"),
    "-account": ("-deal__account_name", "-id"),
    "activity": (F("last_buyer_activity_at").desc(nulls_last=True), "-id"),
    "updated": ("-updated_at", "-id"),
}


@dataclass(frozen=True)
class PlanFilters:
    """Which of the workspace's plans a list shows, and in which order (`PLAN_SORTS`)."""

    status: str | None = None
    owner_id: int | None = None
    owner_email: str | None = None
    account_type: str | None = None
    account_name: str | None = None  # a part of the account's name, any case
    health: str | None = None  # a health code (core/health.py): only plans with that finding
    sort: str = "target"


def account_type_filter(workspace: Workspace, text: str | None) -> str | None:
    """The account type a list or table is filtered on: one of the workspace's, or one its
    deals carry (imported); None (no filter) for an empty value; Invalid for any other."""
    text = (text or "").strip()
    if not text:
        return None
    if (
        text not in (workspace.account_types or [])
        and not Deal.objects.filter(workspace=workspace, account_type=text).exists()
    ):
        names = ", ".join(sorted(set(workspace.account_types or []))) or "none yet"
        raise Invalid.field(
            "account_type", f"{text!r} is not an account type of this workspace ({names})"
        )
    return text


def filtered_plans(workspace: Workspace, filters: PlanFilters) -> QuerySet[Plan]:
    """The workspace's plans the filters keep, health aside (it is not a column)."""
    qs = Plan.objects.filter(workspace=workspace)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.owner_id is not None:
        qs = qs.filter(deal__owner_id=filters.owner_id)
    if filters.owner_email:
        qs = qs.filter(deal__owner__email__iexact=filters.owner_email)
    if filters.account_type:
        qs = qs.filter(deal__account_type=filters.account_type)
    if filters.account_name:
        qs = qs.filter(deal__account_name__icontains=filters.account_name)
    return qs


def plan_list(workspace: Workspace, filters: PlanFilters, today: dt.date) -> QuerySet[Plan]:
    """The plan list of the dashboard, the API and the command line: the workspace's plans
    as filtered and sorted, each with its progress counts and its next due step.

    One query for a page of plans, whatever their number: correlated subqueries rather than
    a join and GROUP BY, so the database counts rows only for the plans it returns.
    """
    qs = filtered_plans(workspace, filters)
    if filters.health:
        # The stored codes: the caller refreshes them first (`plans.health.refresh_health`).
        qs = qs.filter(health_codes__contains=f" {filters.health} ")
    next_step = Milestone.objects.filter(
        plan=OuterRef("pk"), status__in=_OPEN, due_date__isnull=False
    ).order_by("due_date", "position")
    return (
        qs.select_related("deal", "deal__owner")
        .annotate(
            rows_total=Coalesce(_row_count(), 0),
            rows_done=Coalesce(_row_count(status=MilestoneStatus.DONE), 0),
            rows_overdue=Coalesce(_row_count(status__in=_OPEN, due_date__lt=today), 0),
            next_title=Subquery(next_step.values("title")[:1]),
            next_due=Subquery(next_step.values("due_date")[:1]),
        )
        .order_by(*PLAN_SORTS.get(filters.sort, PLAN_SORTS["target"]))
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


def buyer_contributed(plan: Plan) -> bool:
    """Whether anything in the plan was added or changed from the buyer side (`built_alone`)."""
    return Activity.objects.filter(plan=plan, actor_kind=ActorKind.BUYER).exists()


def slips_of(plan: Plan) -> QuerySet[Slip]:
    return Slip.objects.filter(plan=plan).select_related("actor_user").order_by("created_at", "id")


def activity_of(plan: Plan) -> QuerySet[Activity]:
    return Activity.objects.filter(plan=plan).order_by("-id")

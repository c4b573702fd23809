"""Plans as calendars: the entries `calendars.ics` renders, read from the database.

A plan's calendar (its feed and its .ics download) may be handed to the buyer, so it is made
from the buyer read model (`buyer_view`) and links to nothing. A seller's calendar is theirs
alone: every open plan they own, each event linking to the plan page, in a fixed number of
queries however many plans there are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from django.db.models import Max, Q

from mutualplan.calendars.ics import MilestoneEntry, PlanEntry, calendar_ics
from mutualplan.core.vocab import PlanStatus
from mutualplan.links import absolute_reverse, base_url
from mutualplan.plans.actors import seller_display_name
from mutualplan.plans.buyer_view import buyer_plan
from mutualplan.plans.models import Activity, Milestone, Plan
from mutualplan.workspaces.models import Workspace

# The plans a seller's calendar holds: those still being worked on.
OPEN_STATUSES = (PlanStatus.ACTIVE, PlanStatus.DRAFT, PlanStatus.PAUSED)


def uid_host() -> str:
    """The host name in every event's UID: the app's public address, so UIDs stay stable."""
    return urlsplit(base_url()).hostname or "mutualplan"


def _last_changes(plan_ids: Iterable[int]) -> dict[int, dt.datetime]:
    """When each row of these plans last changed, from the activity log: one query."""
    return {
        row["milestone_id"]: row["last"]
        for row in Activity.objects.filter(plan_id__in=list(plan_ids), milestone_id__isnull=False)
        .values("milestone_id")
        .annotate(last=Max("created_at"))
        .order_by()
    }


def plan_entry(plan: Plan) -> PlanEntry:
    """One plan's dates as the buyer sees them (no link: the feed may be forwarded)."""
    view = buyer_plan(plan)
    changed = _last_changes([plan.id])
    return PlanEntry(
        id=view.id,
        account_name=view.account_name,
        target_date=view.target_date,
        target_reason=view.target_reason,
        version=plan.version,
        updated_at=plan.updated_at,
        link="",
        milestones=tuple(
            MilestoneEntry(
                id=row.id,
                title=row.title,
                owner_side=row.owner_side,
                owner_team=row.owner_team,
                owner_person=row.owner_person.name if row.owner_person else "",
                status=row.status,
                due_date=row.due_date,
                version=row.version,
                last_modified=changed.get(row.id) or row.added_at,
            )
            for row in view.milestones
            if row.due_date is not None
        ),
    )


def plan_calendar(plan: Plan) -> bytes:
    """The plan as an iCalendar file, named by its account."""
    return calendar_ics(plan.deal.account_name, [plan_entry(plan)], uid_host())


_PLAN_COLUMNS = (
    "id",
    "deal__account_name",
    "target_date",
    "target_reason",
    "version",
    "updated_at",
)
_ROW_COLUMNS = (
    "id",
    "plan_id",
    "title",
    "owner_side",
    "owner_team",
    "owner_person__name",
    "status",
    "due_date",
    "version",
    "added_at",
)


def seller_entries(workspace: Workspace, user: Any) -> list[PlanEntry]:
    """Every open plan of the workspace that `user` owns (the deal's owner, or its creator
    when the deal has none), with links to the plan pages: three queries."""
    plans = list(
        Plan.objects.filter(workspace=workspace, status__in=OPEN_STATUSES)
        .filter(Q(deal__owner=user) | Q(deal__owner__isnull=True, created_by=user))
        .order_by("target_date", "id")
        .values(*_PLAN_COLUMNS)
    )
    ids = [p["id"] for p in plans]
    rows: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    changed: dict[int, dt.datetime] = {}
    if ids:
        for row in (
            Milestone.objects.filter(plan_id__in=ids, due_date__isnull=False)
            .order_by("plan_id", "position", "id")
            .values(*_ROW_COLUMNS)
        ):
            rows[row["plan_id"]].append(row)
        changed = _last_changes(ids)
    return [
        PlanEntry(
            id=p["id"],
            account_name=p["deal__account_name"],
            target_date=p["target_date"],
            target_reason=p["target_reason"],
            version=p["version"],
            updated_at=p["updated_at"],
            link=absolute_reverse("plan", p["id"]),
            milestones=tuple(
                MilestoneEntry(
                    id=r["id"],
                    title=r["title"],
                    owner_side=r["owner_side"],
                    owner_team=r["owner_team"],
                    owner_person=r["owner_person__name"] or "",
                    status=r["status"],
                    due_date=r["due_date"],
                    version=r["version"],
                    last_modified=changed.get(r["id"]) or r["added_at"],
                )
                for r in rows[p["id"]]
            ),
        )
        for p in plans
    ]


def seller_calendar(workspace: Workspace, user: Any) -> bytes:
    """All of a seller's open plans as one iCalendar file; each summary names its account."""
    name = f"{seller_display_name(user)}'s plans · {workspace.name}"
    return calendar_ics(name, seller_entries(workspace, user), uid_host(), name_plans=True)

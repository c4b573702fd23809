"""What the buyer sees through a share link: one explicit shape, built from the plan.

Every buyer-facing output (the shared API, the buyer page with its row fragments and
timeline, the buyer's live stream, and any email or export sent to the buyer) is made from
these types, which list every field a buyer may see (PRODUCT.md, "What the buyer sees").
The seller's deal (amount, currency, stage, account type, industry, CRM reference), private
notes, risk-checklist answers, step types, feasibility warnings, slip reasons, share-link
management and internal emails are not fields here, so no buyer output can carry them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mutualplan.core.figures import Standing, Step, days_left, is_confirmed, is_overdue, standing
from mutualplan.core.vocab import MilestoneStatus
from mutualplan.plans.actors import seller_display_name
from mutualplan.plans.errors import NotFound
from mutualplan.plans.models import Activity, Comment, Milestone, Plan
from mutualplan.plans.services.history import buyer_summary
from mutualplan.workspaces.clock import today_for


@dataclass(frozen=True)
class SellerContact:
    """Who to talk to on the seller's side: the account executive's name, the seller's
    company, and an email only when the seller chose one to show (`Plan.contact_email`)."""

    name: str
    company: str
    email: str | None


@dataclass(frozen=True)
class Progress:
    total: int
    done: int
    overdue: int


@dataclass(frozen=True)
class BuyerPerson:
    name: str
    team: str


@dataclass(frozen=True)
class BuyerComment:
    id: int
    actor_kind: str
    actor_name: str
    body: str
    created_at: dt.datetime


@dataclass(frozen=True)
class BuyerMilestone:
    id: int
    version: int  # sent back with the buyer's edit, so a stale edit is refused (409)
    position: int
    title: str
    owner_side: str
    owner_team: str
    owner_person: BuyerPerson | None
    due_date: dt.date | None
    baseline_due_date: dt.date | None  # the date the champion confirmed
    turnaround_days: int | None
    status: str
    overdue: bool
    notes: str  # the shared notes; private seller notes are not read on this path
    high_risk: bool
    added_by_side: str
    added_by_name: str
    added_at: dt.datetime
    status_updated_at: dt.datetime | None
    status_updated_by: str
    completed_at: dt.date | None
    confirmed: bool
    # Confirmed once, then its date or owner changed: the buyer is asked to confirm again.
    changed_since_confirmed: bool
    comments: tuple[BuyerComment, ...]


@dataclass(frozen=True)
class BuyerPlan:
    id: int
    account_name: str
    status: str
    target_date: dt.date | None
    baseline_target_date: dt.date | None
    target_reason: str
    days_left: int | None
    confirmed: bool
    progress: Progress
    # Done of total, on track, days left and the buyer side's open steps (core.figures).
    standing: Standing
    seller_contact: SellerContact
    milestones: tuple[BuyerMilestone, ...]


@dataclass(frozen=True)
class BuyerActivity:
    """One line of the buyer's activity feed, told as `history.buyer_summary` tells it."""

    id: int
    verb: str
    summary: str
    milestone_id: int | None
    actor_kind: str
    actor_name: str
    created_at: dt.datetime


# The only columns of a row read for the buyer: private notes, risk-checklist answers, step
# type and anchoring never leave the database on this path.
_ROW_COLUMNS = (
    "id",
    "version",
    "position",
    "title",
    "owner_side",
    "owner_team",
    "owner_person__name",
    "owner_person__team",
    "due_date",
    "baseline_due_date",
    "turnaround_days",
    "status",
    "notes",
    "high_risk",
    "added_by_side",
    "added_by_name",
    "added_at",
    "status_updated_at",
    "status_updated_by",
    "completed_at",
    "confirmed_at",
    "unconfirmed_at",
)
_COMMENT_COLUMNS = ("id", "milestone_id", "actor_kind", "actor_name", "body", "created_at")


def _milestone(
    row: dict[str, Any], comments: tuple[BuyerComment, ...], today: dt.date
) -> BuyerMilestone:
    due = row["due_date"]
    person = row["owner_person__name"]
    return BuyerMilestone(
        id=row["id"],
        version=row["version"],
        position=row["position"],
        title=row["title"],
        owner_side=row["owner_side"],
        owner_team=row["owner_team"],
        owner_person=BuyerPerson(person, row["owner_person__team"] or "") if person else None,
        due_date=due,
        baseline_due_date=row["baseline_due_date"],
        turnaround_days=row["turnaround_days"],
        status=row["status"],
        overdue=is_overdue(due, row["status"], today),
        notes=row["notes"],
        high_risk=row["high_risk"],
        added_by_side=row["added_by_side"],
        added_by_name=row["added_by_name"],
        added_at=row["added_at"],
        status_updated_at=row["status_updated_at"],
        status_updated_by=row["status_updated_by"],
        completed_at=row["completed_at"],
        confirmed=row["confirmed_at"] is not None,
        changed_since_confirmed=row["confirmed_at"] is None and row["unconfirmed_at"] is not None,
        comments=comments,
    )


def buyer_milestones(
    plan: Plan, ids: list[int] | None = None, today: dt.date | None = None
) -> list[BuyerMilestone]:
    """The plan's rows (or those of `ids`) in order, as the buyer sees them; two queries."""
    today = today or today_for(plan.workspace)
    rows = Milestone.objects.filter(plan_id=plan.id)
    if ids is not None:
        rows = rows.filter(id__in=ids)
    found = list(rows.order_by("position", "id").values(*_ROW_COLUMNS))
    comments: dict[int, list[BuyerComment]] = defaultdict(list)
    if found:
        for c in (
            Comment.objects.filter(milestone_id__in=[r["id"] for r in found])
            .order_by("created_at", "id")
            .values(*_COMMENT_COLUMNS)
        ):
            comments[c.pop("milestone_id")].append(BuyerComment(**c))
    return [_milestone(r, tuple(comments[r["id"]]), today) for r in found]


def buyer_milestone(plan: Plan, milestone_id: int) -> BuyerMilestone:
    """One row of the plan as the buyer sees it (e.g. the answer to the buyer's write)."""
    found = buyer_milestones(plan, [milestone_id])
    if not found:
        raise NotFound(f"milestone {milestone_id} not found in this plan")
    return found[0]


def seller_contact(plan: Plan) -> SellerContact:
    """The deal owner's name (never their login email) and the email the seller chose."""
    owner = plan.deal.owner or plan.created_by
    return SellerContact(
        name=seller_display_name(owner) if owner is not None else "",
        company=plan.workspace.name,
        email=plan.contact_email or None,
    )


def buyer_steps(rows: Sequence[BuyerMilestone]) -> list[Step]:
    """The buyer's rows as the plan header counts them."""
    return [
        Step(
            id=r.id,
            position=r.position,
            title=r.title,
            owner_side=r.owner_side,
            owner_team=r.owner_team,
            owner_person=r.owner_person.name if r.owner_person else "",
            due_date=r.due_date,
            status=r.status,
        )
        for r in rows
    ]


def buyer_plan(plan: Plan, today: dt.date | None = None) -> BuyerPlan:
    """The whole plan as the buyer sees it."""
    today = today or today_for(plan.workspace)
    rows = tuple(buyer_milestones(plan, today=today))
    return BuyerPlan(
        id=plan.id,
        account_name=plan.deal.account_name,
        status=plan.status,
        target_date=plan.target_date,
        baseline_target_date=plan.baseline_target_date,
        target_reason=plan.target_reason,
        days_left=days_left(plan.target_date, today),
        confirmed=is_confirmed(r.confirmed for r in rows),
        progress=Progress(
            total=len(rows),
            done=sum(r.status == MilestoneStatus.DONE for r in rows),
            overdue=sum(r.overdue for r in rows),
        ),
        standing=standing(buyer_steps(rows), plan.target_date, today),
        seller_contact=seller_contact(plan),
        milestones=rows,
    )


def buyer_activity(row: Activity) -> BuyerActivity | None:
    """An activity as the buyer is told of it, or None when it is the seller's alone."""
    summary = buyer_summary(row.verb, row.data)
    if summary is None:
        return None
    return BuyerActivity(
        id=row.id,
        verb=row.verb,
        summary=summary,
        milestone_id=row.milestone_id,
        actor_kind=row.actor_kind,
        actor_name=row.actor_name,
        created_at=row.created_at,
    )


def buyer_event(activity: BuyerActivity) -> dict[str, Any]:
    """The buyer's live event: the same keys as the seller's, with the buyer's line."""
    return {
        "id": activity.id,
        "verb": activity.verb,
        "summary": activity.summary,
        "milestone_id": activity.milestone_id,
        "actor": {"kind": activity.actor_kind, "name": activity.actor_name},
        "at": activity.created_at.isoformat(),
        "seller_only": False,
    }


ACTIVITY_COLUMNS = ("verb", "milestone_id", "actor_kind", "actor_name", "created_at", "data")


def buyer_feed(plan: Plan, limit: int = 30) -> tuple[list[BuyerActivity], int]:
    """The latest activities the buyer may see, newest first, and the id of the latest
    activity read (a live stream resumes after it)."""
    recent = list(
        Activity.objects.filter(plan_id=plan.id)
        .only(*ACTIVITY_COLUMNS)
        .order_by("-id")[: limit * 3]
    )
    told = [a for a in map(buyer_activity, recent) if a is not None]
    return told[:limit], recent[0].id if recent else 0

"""The daily digests: what a seller's digest holds about the plans they own, and what a buyer
stakeholder's digest holds about their own open steps. An empty digest is not sent.

Pure: the shells read the plans (`DigestPlan`) and hand them in with the workspace's today.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from mutualplan.core.escalations import Contact, Escalation, EscalationStep, escalations
from mutualplan.core.vocab import OPEN_STATUSES, PlanStatus

# A step due within this many days (today included) is "due soon".
SOON_DAYS = 7


@dataclass(frozen=True)
class DigestRow:
    """What a digest needs of one milestone."""

    id: int
    title: str
    owner_side: str
    status: str
    due_date: dt.date | None = None
    owner_team: str = ""
    owner_person_id: int | None = None
    owner_person: str = ""
    status_updated_on: dt.date | None = None
    confirmed: bool = False

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def owner(self) -> str:
        """'Dana Lee, IT Security', 'Dana Lee', 'IT Security' or the side."""
        if self.owner_team and self.owner_person:
            return f"{self.owner_person}, {self.owner_team}"
        return self.owner_person or self.owner_team or self.owner_side


@dataclass(frozen=True)
class DigestPlan:
    """What a digest needs of one plan."""

    id: int
    account_name: str
    status: str
    created_on: dt.date
    rows: tuple[DigestRow, ...] = ()
    target_date: dt.date | None = None
    last_call_on: dt.date | None = None
    # The champion confirmed the plan at least once (rows unconfirmed since then changed).
    confirmed_once: bool = False
    people: tuple[Contact, ...] = ()
    seller_name: str = ""


@dataclass(frozen=True)
class SellerPlanDigest:
    plan_id: int
    account_name: str
    target_date: dt.date | None
    overdue: tuple[DigestRow, ...] = ()
    due_soon: tuple[DigestRow, ...] = ()
    # Stale buyer steps, each with whom to escalate to.
    escalations: tuple[Escalation, ...] = ()
    # Days since the last call (or the plan's creation) when longer than the review interval.
    not_reviewed_days: int | None = None

    @property
    def is_empty(self) -> bool:
        return not (
            self.overdue or self.due_soon or self.escalations or self.not_reviewed_days is not None
        )


@dataclass(frozen=True)
class SellerDigest:
    plans: tuple[SellerPlanDigest, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.plans


@dataclass(frozen=True)
class BuyerPlanDigest:
    plan_id: int
    account_name: str
    target_date: dt.date | None
    overdue: tuple[DigestRow, ...] = ()
    due_soon: tuple[DigestRow, ...] = ()
    later: tuple[DigestRow, ...] = ()
    # For the champion: rows changed since they confirmed the plan.
    changed: tuple[DigestRow, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.overdue or self.due_soon or self.later or self.changed)


@dataclass(frozen=True)
class BuyerDigest:
    plans: tuple[BuyerPlanDigest, ...] = field(default_factory=tuple)

    @property
    def is_empty(self) -> bool:
        return not self.plans


def _by_due(rows: Sequence[DigestRow]) -> tuple[DigestRow, ...]:
    return tuple(sorted(rows, key=lambda r: (r.due_date or dt.date.max, r.id)))


def _is_open_plan(plan: DigestPlan) -> bool:
    return plan.status in (PlanStatus.ACTIVE, PlanStatus.DRAFT)


def split_by_due(
    rows: Sequence[DigestRow], today: dt.date
) -> tuple[tuple[DigestRow, ...], tuple[DigestRow, ...], tuple[DigestRow, ...]]:
    """Open rows as (overdue, due in the next SOON_DAYS days, the rest), each by due date."""
    soon_until = today + dt.timedelta(days=SOON_DAYS)
    open_rows = [r for r in rows if r.is_open]
    overdue = [r for r in open_rows if r.due_date is not None and r.due_date < today]
    soon = [r for r in open_rows if r.due_date is not None and today <= r.due_date <= soon_until]
    rest = [r for r in open_rows if r not in overdue and r not in soon]
    return _by_due(overdue), _by_due(soon), _by_due(rest)


def seller_plan_digest(
    plan: DigestPlan, stale_days: int, review_interval_days: int, today: dt.date
) -> SellerPlanDigest:
    """One plan's part of its owner's digest (empty for a won, lost or paused plan)."""
    if not _is_open_plan(plan):
        return SellerPlanDigest(plan.id, plan.account_name, plan.target_date)
    overdue, soon, _ = split_by_due(plan.rows, today)
    steps = [
        EscalationStep(
            id=r.id,
            title=r.title,
            owner_side=r.owner_side,
            status=r.status,
            owner_team=r.owner_team,
            owner_person_id=r.owner_person_id,
            owner_person=r.owner_person,
            due_date=r.due_date,
            status_updated_on=r.status_updated_on,
        )
        for r in plan.rows
    ]
    stale = escalations(
        steps,
        plan.people,
        stale_days=stale_days,
        today=today,
        created_on=plan.created_on,
        account_name=plan.account_name,
        seller_name=plan.seller_name,
        target_date=plan.target_date,
    )
    reviewed = max(d for d in (plan.last_call_on, plan.created_on) if d is not None)
    silent = (today - reviewed).days
    not_reviewed = (
        silent if plan.status == PlanStatus.ACTIVE and silent > review_interval_days else None
    )
    return SellerPlanDigest(
        plan.id,
        plan.account_name,
        plan.target_date,
        overdue=overdue,
        due_soon=soon,
        escalations=tuple(stale),
        not_reviewed_days=not_reviewed,
    )


def seller_digest(
    plans: Sequence[DigestPlan], stale_days: int, review_interval_days: int, today: dt.date
) -> SellerDigest:
    """A seller's digest over the plans they own: only plans with something to say."""
    parts = (seller_plan_digest(p, stale_days, review_interval_days, today) for p in plans)
    return SellerDigest(tuple(p for p in parts if not p.is_empty))


def buyer_plan_digest(
    plan: DigestPlan, person_ids: frozenset[int], champion: bool, today: dt.date
) -> BuyerPlanDigest:
    """One plan's part of a buyer's digest: the rows whose owner person is them (any of
    `person_ids`), overdue first, then due soon, then the rest; for the champion also the
    rows changed since they confirmed the plan."""
    if not _is_open_plan(plan):
        return BuyerPlanDigest(plan.id, plan.account_name, plan.target_date)
    own = [r for r in plan.rows if r.owner_person_id in person_ids]
    overdue, soon, later = split_by_due(own, today)
    changed: tuple[DigestRow, ...] = ()
    if champion and plan.confirmed_once:
        changed = tuple(r for r in plan.rows if r.is_open and not r.confirmed)
    return BuyerPlanDigest(
        plan.id,
        plan.account_name,
        plan.target_date,
        overdue=overdue,
        due_soon=soon,
        later=later,
        changed=changed,
    )


def buyer_digest(parts: Sequence[BuyerPlanDigest]) -> BuyerDigest:
    """A buyer's digest over the plans they take part in: only plans with something to say."""
    return BuyerDigest(tuple(p for p in parts if not p.is_empty))


def is_digest_time(local_now: dt.datetime, hour: int) -> bool:
    """Digests go out on weekdays (Monday to Friday), from `hour` of the local day on."""
    return local_now.weekday() < 5 and local_now.hour >= hour

"""Response shapes of the buyer's routes (share link): the buyer read model of
`mutualplan.plans.buyer_view`, field for field. Nothing of the seller's `PlanOut` or `DealOut`
is reused here, so a field added to the seller's shape never reaches the buyer."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from mutualplan.api.schemas.errors import ErrorOut, Out
from mutualplan.core.vocab import MilestoneStatus, OwnerSide, PlanStatus


class SellerContactOut(Out):
    name: str = Field(description="The account executive's name.")
    company: str = Field(description="The seller's company.")
    email: str | None = Field(
        description="The email the seller chose to show the buyer; null when none was chosen."
    )


class ProgressOut(Out):
    total: int
    done: int
    overdue: int


class BuyerPersonOut(Out):
    name: str
    team: str


class BuyerCommentOut(Out):
    id: int
    actor_kind: str
    actor_name: str
    body: str
    created_at: dt.datetime


class BuyerMilestoneOut(Out):
    id: int
    version: int
    position: int
    title: str
    owner_side: OwnerSide
    owner_team: str
    owner_person: BuyerPersonOut | None
    due_date: dt.date | None
    baseline_due_date: dt.date | None
    turnaround_days: int | None
    status: MilestoneStatus
    overdue: bool
    notes: str
    high_risk: bool
    added_by_side: str
    added_by_name: str
    added_at: dt.datetime
    status_updated_at: dt.datetime | None
    status_updated_by: str
    completed_at: dt.date | None
    confirmed: bool
    changed_since_confirmed: bool = Field(
        description="Confirmed once, then its date or owner changed: confirm it again."
    )
    comments: list[BuyerCommentOut]


class BuyerPlanOut(Out):
    id: int
    account_name: str
    status: PlanStatus
    target_date: dt.date | None
    baseline_target_date: dt.date | None
    target_reason: str
    days_left: int | None
    confirmed: bool
    progress: ProgressOut
    seller_contact: SellerContactOut
    milestones: list[BuyerMilestoneOut]


class BuyerChangeOut(Out):
    """One change between the version the buyer received and the next one sent."""

    kind: str = Field(
        description="target_moved, added, removed, redated, reowned, status or retitled"
    )
    milestone_id: int | None = Field(description="None for the target date")
    title: str
    summary: str = Field(description="The change in words, as the buyer page and email say it")
    days: int | None = Field(description="Days a date moved: positive later, negative earlier")
    from_date: dt.date | None
    to_date: dt.date | None
    before: str
    after: str


class BuyerChangesOut(Out):
    """What the last version sent changed since the one before (the buyer page's "What
    changed since" card); `revised` is false while only one version was sent."""

    revised: bool
    since: dt.date | None = Field(description="The day the earlier version was sent.")
    from_version: int | None
    to_version: int | None
    summary: list[str] = Field(description="One line per change, or one saying none changed.")
    changes: list[BuyerChangeOut]


class BuyerMilestoneConflictOut(ErrorOut):
    """409 on a buyer's row edit: nothing was saved; `current` is the row as the buyer sees it."""

    current: BuyerMilestoneOut

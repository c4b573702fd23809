"""Response shapes of plans: the seller's plan, the plan list, its history and versions
(the buyer's plan is `api.buyer_schemas.BuyerPlanOut`)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from mutualplan.api.schemas.errors import ErrorOut, Out
from mutualplan.api.schemas.milestones import MilestoneOut, SellerMilestoneOut
from mutualplan.core.vocab import PlanStatus
from mutualplan.inputs.fields import In, LongText


class DealOut(Out):
    id: int
    account_name: str
    account_type: str
    industry: str
    amount: float
    currency: str
    stage: str
    crm_ref: str
    owner: str | None


class WarningOut(Out):
    code: str
    milestone_id: int | None
    message: str


class PlanOut(Out):
    """The seller's plan (the buyer's is `buyer_schemas.BuyerPlanOut`)."""

    id: int
    version: int
    status: PlanStatus
    target_date: dt.date | None
    baseline_target_date: dt.date | None
    target_reason: str
    days_left: int | None
    country: str
    business_days: bool
    template: str
    contact_email: str
    confirmed: bool
    committed_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    deal: DealOut
    milestones: list[MilestoneOut]
    warnings: list[WarningOut]


class SellerPlanOut(PlanOut):
    milestones: list[SellerMilestoneOut]  # type: ignore[assignment]


class SellerPlanConflictOut(ErrorOut):
    """409 on a plan edit or retarget: nothing was saved; `current` is the plan as it is now."""

    current: SellerPlanOut


class PlanSummaryOut(Out):
    id: int
    version: int
    status: PlanStatus
    target_date: dt.date | None
    days_left: int | None
    deal: DealOut
    rows_total: int
    rows_done: int
    rows_overdue: int
    last_buyer_activity_at: dt.datetime | None
    updated_at: dt.datetime
    health: list[str] = Field(description="The codes of the plan's health findings")


class HealthFindingOut(Out):
    code: str
    severity: str
    message: str
    fix: str
    milestone_ids: list[int]


class PlanHealthOut(Out):
    findings: list[HealthFindingOut]


class PlanPage(Out):
    items: list[PlanSummaryOut]
    count: int
    page: int
    page_size: int
    pages: int


class SlipOut(Out):
    id: int
    milestone_id: int | None
    milestone_title: str
    from_date: dt.date | None
    to_date: dt.date | None
    days: int
    reason_category: str
    reason_text: str
    during_build: bool
    actor_kind: str
    actor_name: str
    created_at: dt.datetime


class ActivityOut(Out):
    id: int
    verb: str
    summary: str
    milestone_id: int | None
    actor_kind: str
    actor_name: str
    data: dict[str, object]
    created_at: dt.datetime


class VersionIn(In):
    note: LongText = ""


class VersionOut(Out):
    id: int
    number: int
    note: str
    created_at: dt.datetime
    snapshot: dict[str, object]


class SendIn(In):
    recipients: list[str] = Field(
        description="Email addresses to send the plan to (the champion, chosen stakeholders); "
        "each gets a share link of their own.",
        min_length=1,
        max_length=20,
    )
    message: LongText = Field("", description="Your note, at the top of the email.")


class EmailDeliveryOut(Out):
    id: int
    kind: str = Field(
        description="plan (sent), revision (a revised version), escalation, or reconfirm "
        "(the champion asked to confirm changed rows again)."
    )
    recipient: str
    subject: str
    status: str = Field(
        description="queued, sending (a consumer is on it), sent, or failed (after every retry)."
    )
    attempts: int
    last_error: str = Field(description="Why the last attempt failed (blank when none did).")
    created_at: dt.datetime
    sent_at: dt.datetime | None


class VersionSummaryOut(Out):
    """One version as sent to the buyer: its number, when, by whom, with which note."""

    number: int
    sent_at: dt.datetime
    sent_by: str = Field(description="The seller who recorded it; empty if since removed")
    note: str


ChangeKind = Literal["target_moved", "added", "removed", "redated", "reowned", "status", "retitled"]


class VersionChangeOut(Out):
    """One change between two versions. Rows are matched by milestone id."""

    kind: ChangeKind
    milestone_id: int | None = Field(description="None for the target date")
    title: str = Field(description="The row's title (in the later version when renamed)")
    summary: str = Field(description="The change in words, as the plan page shows it")
    days: int | None = Field(
        description="Days a date moved: positive later, negative earlier; None if set or cleared"
    )
    from_date: dt.date | None
    to_date: dt.date | None
    before: str = Field(description="Owner, status or title before (re-owned, status, retitled)")
    after: str = Field(description="Owner, status or title after (and an added row's owner)")


class SendOut(Out):
    version: int = Field(description="The number of the version recorded as sent.")
    deliveries: list[EmailDeliveryOut]
    warning: str = Field(
        description="Set when nothing in the plan came from the buyer side yet: the plan was "
        "sent all the same (the plan page asks first)."
    )
    revision: bool = Field(
        description="True when a version was sent before: the email is a revised version that "
        "says first what changed since the last one."
    )
    since: dt.date | None = Field(
        description="A revised version: the day the previous version was sent."
    )
    changes: list[VersionChangeOut] = Field(
        description="A revised version: what changed since the previous version (the versions "
        "diff); empty otherwise."
    )
    summary: list[str] = Field(
        description='The change summary as the email words it ("No changes since ..." when '
        "nothing changed); empty for a first version."
    )


class VersionDiffOut(Out):
    plan_id: int
    from_version: VersionSummaryOut
    to_version: VersionSummaryOut
    changes: list[VersionChangeOut]

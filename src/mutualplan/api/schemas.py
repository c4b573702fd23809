"""Request and response shapes of the REST API (and so of its OpenAPI document)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from mutualplan.core.text import is_email
from mutualplan.core.vocab import (
    MilestoneStatus,
    OwnerSide,
    PlanStatus,
    RiskAnswer,
    SlipReason,
    StepType,
)

# NUL characters, lone surrogates and invalid UTF-8 never reach these schemas: the input
# layer (mutualplan.http.inputs) refuses them for every request, API and pages alike.
Name = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
Label = Annotated[str, StringConstraints(max_length=200)]
Code = Annotated[str, StringConstraints(min_length=1, max_length=50)]
Key = Annotated[str, StringConstraints(min_length=1, max_length=60)]
OptKey = Annotated[str, StringConstraints(max_length=60)]
Short = Annotated[str, StringConstraints(max_length=100)]
Title = Annotated[str, StringConstraints(min_length=1, max_length=300, strip_whitespace=True)]
Notes = Annotated[str, StringConstraints(max_length=20000)]
LongText = Annotated[str, StringConstraints(max_length=5000)]
Currency = Annotated[str, StringConstraints(min_length=3, max_length=3)]
Country = Annotated[str, StringConstraints(max_length=2)]


def _email(value: str) -> str:
    value = value.strip()
    if not is_email(value):
        raise ValueError("is not an email address")
    return value


Email = Annotated[str, StringConstraints(max_length=254), AfterValidator(_email)]
Id = Annotated[int, Field(gt=0, le=2**63 - 1)]
Version = Annotated[int, Field(ge=1, le=2**31)]
Days = Annotated[int, Field(ge=0, le=3650)]
Amount = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]


def _not_null(schema: dict[str, Any]) -> None:
    schema.pop("default", None)
    options = [o for o in schema.pop("anyOf", []) if o.get("type") != "null"]
    if len(options) == 1:
        schema.update(options[0])
    elif options:
        schema["anyOf"] = options


def keep() -> Any:
    """The default of an optional field that takes no null: left out, the stored value is
    kept. The services refuse null for it (`NULLABLE_FIELDS` names the fields that take one),
    so its documented schema has no null, and no generated client offers one."""
    return Field(None, json_schema_extra=_not_null)


class In(Schema):
    """Request bodies reject fields they do not know, so a typo is an error, not a no-op."""

    model_config = ConfigDict(extra="forbid")


class Out(BaseModel):
    """Response shapes are plain pydantic models: validating dicts needs no Django getter."""

    model_config = ConfigDict(from_attributes=True)


class ErrorItem(Out):
    field: str
    message: str


class ErrorOut(Out):
    detail: str
    errors: list[ErrorItem]


# ---- deals and plans ---------------------------------------------------------------------


class DealIn(In):
    account_name: Name
    account_type: Code
    stage: Code
    amount: Amount = Decimal(0)
    currency: Currency = "USD"
    industry: Short = ""
    crm_ref: Short = ""


class DealPatch(In):
    account_name: Name | None = None
    account_type: Code | None = None
    stage: Code | None = None
    amount: Amount | None = None
    currency: Currency | None = None
    industry: Short | None = None
    crm_ref: Short | None = None


class PlanCreate(In):
    deal: DealIn
    target_date: dt.date | None = None
    target_reason: LongText = ""
    template: Key = "standard"
    country: Country = ""
    business_days: bool = False
    schedule: Literal["offsets", "turnarounds"] = Field(
        "offsets",
        description="'offsets': the template's fixed offsets before the target; 'turnarounds': "
        "latest-finish dates worked back through turnarounds and dependencies.",
    )


class PlanPatch(In):
    version: Version
    target_reason: LongText | None = None
    contact_email: Annotated[str, StringConstraints(max_length=254)] | None = Field(
        None,
        description="The email the buyer sees for the seller's contact; empty shows none "
        "(the buyer then sees only the deal owner's name).",
    )
    status: PlanStatus | None = None
    country: Country | None = None
    business_days: bool | None = None
    deal: DealPatch | None = None
    reason_category: SlipReason | None = None
    reason_text: LongText = ""


class RetargetIn(In):
    target_date: dt.date
    version: Version
    reason_category: SlipReason | None = None
    reason_text: LongText = ""


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


class PersonOut(Out):
    id: int
    name: str
    team: str


class MilestoneOut(Out):
    id: int
    version: int
    position: int
    title: str
    step_type: StepType
    owner_side: OwnerSide
    owner_team: str
    owner_person: PersonOut | None
    due_date: dt.date | None
    baseline_due_date: dt.date | None
    anchored: bool
    turnaround_days: int | None
    depends_on: list[int]
    status: MilestoneStatus
    overdue: bool
    notes: str
    high_risk: bool
    risk_checklist: dict[str, RiskAnswer]
    added_by_side: str
    added_by_name: str
    added_at: dt.datetime
    status_updated_at: dt.datetime | None
    status_updated_by: str
    completed_at: dt.date | None
    confirmed: bool


class SellerMilestoneOut(MilestoneOut):
    private_notes: str


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


class SellerMilestoneConflictOut(ErrorOut):
    """409 on a row edit: nothing was saved; `current` is the row as it is now."""

    current: SellerMilestoneOut


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


class PlanPage(Out):
    items: list[PlanSummaryOut]
    count: int
    page: int
    page_size: int
    pages: int


# ---- milestones ----------------------------------------------------------------------------


class _MilestoneFields(In):
    """What a seller may set on a row, on create and on edit. Null clears an owner person, a
    due date or a turnaround; the other fields take a value or are left out."""

    owner_side: OwnerSide | None = keep()
    owner_team: Short | None = keep()
    owner_person_id: Id | None = None
    step_type: StepType | None = keep()
    due_date: dt.date | None = None
    anchored: bool | None = keep()
    turnaround_days: Days | None = None
    depends_on: list[Id] | None = keep()
    status: MilestoneStatus | None = keep()
    notes: Notes | None = keep()
    private_notes: Notes | None = keep()
    high_risk: bool | None = keep()
    risk_checklist: dict[str, RiskAnswer] | None = keep()


class MilestoneCreate(_MilestoneFields):
    title: Title
    position: Annotated[int, Field(ge=0, le=100000)] | None = None


class MilestonePatch(_MilestoneFields):
    version: Version
    title: Title | None = keep()
    completed_at: dt.date | None = None
    reason_category: SlipReason | None = None
    reason_text: LongText = ""


class ReorderIn(In):
    order: list[Id] = Field(max_length=10000)


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


# ---- sharing -------------------------------------------------------------------------------


class ShareLinkIn(In):
    expires_at: dt.datetime | None = None
    label: Label = ""


class ShareLinkOut(Out):
    id: int
    plan_id: int
    label: str
    prefix: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None


class ShareLinkCreated(ShareLinkOut):
    token: str
    url: str


class BuyerIn(In):
    name: Name
    email: Email


class BuyerMilestoneCreate(In):
    actor: BuyerIn
    title: Title
    owner_side: Literal["buyer", "joint"] = "buyer"
    owner_team: Short = ""
    due_date: dt.date | None = None
    status: MilestoneStatus | None = None
    notes: Notes | None = None
    position: Annotated[int, Field(ge=0, le=100000)] | None = None


class BuyerMilestonePatch(In):
    actor: BuyerIn
    version: Version
    title: Title | None = keep()
    owner_team: Short | None = keep()
    due_date: dt.date | None = None
    status: MilestoneStatus | None = keep()
    notes: Notes | None = keep()
    completed_at: dt.date | None = None
    reason_category: SlipReason | None = None
    reason_text: LongText = ""


class ConfirmIn(In):
    actor: BuyerIn
    milestone_ids: list[Id] | None = Field(
        None, description="Rows to confirm; leave out to confirm the whole plan."
    )


class ConfirmationOut(Out):
    id: int
    buyer_name: str
    created_at: dt.datetime
    milestone_ids: list[int]


# ---- templates -----------------------------------------------------------------------------


class TemplateRowIn(In):
    key: OptKey = ""
    title: Title
    owner_side: OwnerSide
    owner_team: Short = ""
    step_type: StepType = StepType.CUSTOM
    offset_days: Days = 0
    turnaround_days: Days = 0
    high_risk: bool | None = None
    depends_on: list[OptKey] = []


class TemplateIn(In):
    key: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,59}$")]
    name: Name
    description: LongText = ""
    rows: list[TemplateRowIn] = Field(min_length=1, max_length=200)


class TemplateRowOut(Out):
    key: str
    title: str
    owner_side: OwnerSide
    owner_team: str
    step_type: StepType
    offset_days: int
    turnaround_days: int
    high_risk: bool
    depends_on: list[str]


class TemplateOut(Out):
    key: str
    name: str
    description: str
    builtin: bool
    rows: list[TemplateRowOut]

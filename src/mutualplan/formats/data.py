"""The plain data every format works on: one plan with its deal, buyer-side people and rows,
as values only (no database ids: rows and people are named by keys local to the plan, so a
plan read from a file can be created again anywhere)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from mutualplan.core.vocab import RISK_CHECKLIST, SIDE_LABELS, STATUS_LABELS

# The labels a spreadsheet or a pasted table shows for the stored values.


@dataclass(frozen=True)
class DealData:
    account_name: str
    account_type: str
    stage: str
    industry: str = ""
    amount: Decimal = Decimal(0)
    currency: str = "USD"
    crm_ref: str = ""
    owner: str | None = None  # the owner's email


@dataclass(frozen=True)
class PersonData:
    """A stakeholder on the buyer's side."""

    key: str
    name: str
    email: str = ""
    title: str = ""
    team: str = ""
    role: str = "other"
    is_champion: bool = False


@dataclass(frozen=True)
class MilestoneData:
    key: str
    title: str
    owner_side: str
    step_type: str = "custom"
    owner_team: str = ""
    owner_person: str | None = None  # a PersonData key
    due_date: dt.date | None = None
    baseline_due_date: dt.date | None = None
    # Days before the target (calendar or business, as the plan counts); None: a fixed date.
    anchor_offset: int | None = None
    turnaround_days: int | None = None
    depends_on: tuple[str, ...] = ()  # MilestoneData keys
    status: str = "not_started"
    notes: str = ""
    private_notes: str = ""
    high_risk: bool = False
    risk_checklist: dict[str, str] = field(
        default_factory=lambda: {key: "unknown" for key in RISK_CHECKLIST}
    )
    added_by_side: str = "seller"
    added_by_name: str = ""
    status_updated_by: str = ""
    status_updated_at: dt.datetime | None = None
    completed_at: dt.date | None = None
    confirmed_at: dt.datetime | None = None


@dataclass(frozen=True)
class PlanData:
    deal: DealData
    status: str = "draft"
    target_date: dt.date | None = None
    baseline_target_date: dt.date | None = None
    target_reason: str = ""
    country: str = ""
    business_days: bool = False
    template_key: str = ""
    contact_email: str = ""
    committed_at: dt.datetime | None = None
    confirmed_at: dt.datetime | None = None
    stakeholders: tuple[PersonData, ...] = ()
    milestones: tuple[MilestoneData, ...] = ()
    # The plan's id where it was read from (the workspace export's "Plan" column); never
    # written to a file meant to be imported, never read from one.
    id: int | None = None

    def person(self, key: str | None) -> PersonData | None:
        return next((p for p in self.stakeholders if p.key == key), None) if key else None


def owner_label(plan: PlanData, row: MilestoneData) -> str:
    """Who owns the row, as the plan page names them: "Dana Lee, Legal (Buyer)"."""
    side = SIDE_LABELS.get(row.owner_side, row.owner_side)
    person = plan.person(row.owner_person)
    who = [person.name] if person else []
    if row.owner_team and row.owner_team not in who:
        who.append(row.owner_team)
    return f"{', '.join(who)} ({side})" if who else side


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)

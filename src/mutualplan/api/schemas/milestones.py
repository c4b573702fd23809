"""Response shapes of a plan's rows (milestones)."""

from __future__ import annotations

import datetime as dt

from mutualplan.api.schemas.errors import ErrorOut, Out
from mutualplan.core.vocab import MilestoneStatus, OwnerSide, RiskAnswer, StepType


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


class SellerMilestoneConflictOut(ErrorOut):
    """409 on a row edit: nothing was saved; `current` is the row as it is now."""

    current: SellerMilestoneOut

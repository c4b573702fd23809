"""What the seller and the buyer side send to add, edit or reorder rows (milestones)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field

from mutualplan.core.vocab import MilestoneStatus, OwnerSide, RiskAnswer, SlipReason, StepType
from mutualplan.inputs.fields import (
    Days,
    Email,
    Id,
    In,
    LongText,
    Name,
    Notes,
    Short,
    Title,
    Version,
    keep,
)


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

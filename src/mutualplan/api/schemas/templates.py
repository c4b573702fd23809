"""Shapes of the workspace's plan templates."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from mutualplan.api.schemas.errors import Out
from mutualplan.core.vocab import OwnerSide, StepType
from mutualplan.inputs.fields import Days, In, LongText, Name, OptKey, Short, Title


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

"""Shapes of the people on the buyer side (stakeholders), their visits, and discovery
findings: all seller-only."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from mutualplan.api.schemas.errors import Out
from mutualplan.core.vocab import RiskAnswer, StakeholderRole


class StakeholderOut(Out):
    id: int
    name: str
    email: str
    title: str
    team: str
    role: StakeholderRole
    owns: list[int] = Field(description="The ids of the plan's rows this person owns.")
    created_at: dt.datetime


class BuyerVisitOut(Out):
    name: str
    email: str
    share_link_id: int
    share_link_label: str
    share_link_prefix: str
    first_seen_at: dt.datetime
    last_seen_at: dt.datetime = Field(description="Last opened or changed the plan.")
    last_visit_on: dt.date | None = Field(description="The last day they opened the plan.")
    days_visited: int = Field(description="On how many days they opened the plan.")
    changes: int = Field(description="How many changes they made through the link.")


class FindingOut(Out):
    milestone_id: int
    milestone_title: str
    key: str = Field(description="The risk-checklist item (e.g. owner_named).")
    answer: RiskAnswer
    question: str = Field(description="What to ask the champion.")
    note: str = Field(description="What is known so far.")
    text: str = Field(description="Question and note as one line.")

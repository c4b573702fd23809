"""Response shapes of a plan's close-date forecast and its next best actions (seller only)."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from mutualplan.api.schemas.errors import Out


class FanPointOut(Out):
    quantile: float = Field(description="Share of the forecasts finished by `date`.")
    date: dt.date


class RestsOnOut(Out):
    kind: str = Field(
        description='"account_type" (its step type in deals of its account type), '
        '"step_type" (its step type in all deals) or "plan" (no history: its planned '
        "turnaround)."
    )
    observations: int
    text: str


class ForecastStepOut(Out):
    milestone_id: int
    title: str
    step_type: str
    owner_side: str
    started: bool
    days_spent: int
    criticality: float = Field(
        description="Share of the forecasts in which it is on the longest path."
    )
    beyond_history: bool = Field(
        description="Open longer than any recorded duration: its remaining time is a guess."
    )
    rests_on: RestsOnOut


class NextActionOut(Out):
    code: str
    title: str
    explanation: str
    milestone_id: int | None
    effect_pp: float = Field(
        description="Estimated change of the chance of finishing by the target, in percentage "
        "points (the assumptions are in `explanation`)."
    )


class NextActionsOut(Out):
    actions: list[NextActionOut]


class PlanForecastOut(Out):
    plan_id: int
    today: dt.date
    target_date: dt.date | None
    quarter_end: dt.date
    samples: int
    p_by_target: float | None = Field(description="None when the plan has no target date.")
    p_by_quarter_end: float
    p50: dt.date
    p80: dt.date
    p90: dt.date
    fan: list[FanPointOut]
    steps: list[ForecastStepOut] = Field(description="Remaining steps, most critical first.")
    actions: list[NextActionOut]

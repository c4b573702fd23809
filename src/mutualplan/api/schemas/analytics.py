"""Shapes of the analytics tables: step durations and deal cycles from the history."""

from __future__ import annotations

import datetime as dt

from mutualplan.api.schemas.errors import Out


class FigureOut(Out):
    """A turnaround quantile with what it rests on. `days` is null when the quantile was not
    reached yet: then it took at least `at_least_days`. `own_days` is the account type's own
    estimate when `shrunk` blended it toward all deals of the step type."""

    days: float | None
    at_least_days: float | None
    rests_on: int
    shrunk: bool
    own_days: float | None


class SlipReasonCountOut(Out):
    reason: str
    slips: int


class DurationRowOut(Out):
    step_type: str
    step_label: str
    account_type: str | None  # null: all deals of the step type
    observations: int
    finished: int
    open: int
    median: FigureOut
    p80: FigureOut
    planned_vs_actual_days: float | None
    slip_share: float | None
    mean_days_slipped: float | None
    top_reasons: list[SlipReasonCountOut]


class DurationsOut(Out):
    as_of: dt.date
    account_type: str | None
    account_types: list[str]
    rows: list[DurationRowOut]


class CycleRowOut(Out):
    account_type: str
    quarter: str | None  # null: all quarters
    won: int
    lost: int
    win_rate: float | None
    mean_cycle_days: float | None
    median_cycle_days: float | None
    with_target: int
    mean_days_late: float | None
    median_days_late: float | None


class CyclesOut(Out):
    as_of: dt.date
    account_type: str | None
    account_types: list[str]
    rows: list[CycleRowOut]

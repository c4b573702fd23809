"""Shapes of the pipeline forecast (`GET /api/v1/forecast`)."""

from __future__ import annotations

import datetime as dt

from mutualplan.api.schemas.errors import Out


class PipelineQuarterOut(Out):
    """One fiscal quarter (the first starts today): the expected amount closing and the
    band its total falls in 8 times out of 10; `deals` with a chance of closing in it."""

    quarter: str
    start: dt.date
    end: dt.date
    expected_amount: float
    p10: float
    p90: float
    deals: int
    expected_deals: float


class PipelineBreakdownOut(Out):
    """One owner or account type: expected amount per quarter, in the quarters' order."""

    name: str
    deals: int
    expected_by_quarter: list[float]
    expected_total: float


class CurrencyPipelineOut(Out):
    currency: str | None
    deals: int
    open_amount: float
    quarters: list[PipelineQuarterOut]
    total: PipelineQuarterOut | None
    by_owner: list[PipelineBreakdownOut]
    by_account_type: list[PipelineBreakdownOut]


class LateDealOut(Out):
    """A deal whose plan-implied P50 close date is after its CRM close date."""

    plan_id: int
    account_name: str
    owner: str
    amount: float
    currency: str
    crm_close_date: dt.date
    plan_p50: dt.date
    plan_p80: dt.date
    gap_days: int
    gap_p80_days: int


class AccountWinRateOut(Out):
    account_type: str
    won: int
    lost: int
    raw: float | None
    rate: float


class WinRatesOut(Out):
    workspace_rate: float | None
    won: int
    lost: int
    prior_deals: int
    by_account_type: list[AccountWinRateOut]


class PlanWithoutStepsOut(Out):
    """An open plan with no steps yet: nothing to forecast, so left out of the amounts."""

    plan_id: int
    account_name: str


class PipelineFiltersOut(Out):
    owner: str | None
    account_type: str | None


class PipelineOut(CurrencyPipelineOut):
    """The main currency's forecast (the one with the most open deals) at the top level."""

    as_of: dt.date
    other_currencies: list[CurrencyPipelineOut]
    late_deals: list[LateDealOut]
    plans_without_steps: list[PlanWithoutStepsOut]
    has_win_history: bool
    chance: str
    win_rates: WinRatesOut
    samples: int
    filters: PipelineFiltersOut

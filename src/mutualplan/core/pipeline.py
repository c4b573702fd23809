"""The pipeline forecast: the amount expected to close in each coming quarter across open
deals, with a P10–P90 band, by owner and by account type, and the deals whose plan says they
close later than the CRM does. Pure (numpy).

A deal closes in quarter q when its plan finishes in q and the deal is won:
P(closes in q) = P(win) × (P(finish by the end of q) − P(finish by the end of q − 1)), the
first quarter counted from today. Its expected amount is the sum of amount × that chance; the
band draws every deal's closing quarter (or none of them: lost, or later) independently, all
deals and samples at once.

P(win) is the account type's historical win rate, won / (won + lost), shrunk toward the
workspace's rate by `PRIOR_DEALS` pseudo-deals, so a type with 3 closed deals mostly says the
workspace's rate and one with 300 says its own. A workspace with no closed deal has no win
rate: the chance shown is then the chance of finishing the plan (P(win) taken as 1), and the
result says so (`has_win_history` false), rather than inventing a rate.

Amounts in different currencies are never added: the forecast is made per currency.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from mutualplan.core.cycles import DealOutcome
from mutualplan.core.health import quarter_end

# Pseudo-deals at the workspace's win rate added to every account type's own record.
PRIOR_DEALS = 10
DEFAULT_SAMPLES = 10_000
# Samples × deals per vectorised block: bounds memory (float32 draws, about 16 MB).
_BLOCK_CELLS = 4_000_000
# A deal counts among a quarter's deals when its chance of closing in it is at least this.
COUNTED_CHANCE = 0.005
UNASSIGNED = "Unassigned"


@dataclass(frozen=True)
class Quarter:
    """A fiscal quarter: its label ("2026-Q4" on a calendar year, "FY2027-Q1" on a fiscal
    year named after the calendar year it ends in), first and last day."""

    label: str
    start: dt.date
    end: dt.date


def quarter_label(end: dt.date, fiscal_year_start_month: int) -> str:
    """The label of the fiscal quarter ending on `end`."""
    start_month = (fiscal_year_start_month - 1) % 12 + 1
    if start_month == 1:
        return f"{end.year}-Q{(end.month - 1) // 3 + 1}"
    number = ((end.month - start_month) % 12) // 3 + 1
    # The fiscal year is named after the calendar year it ends in (FY2027 starts in 2026).
    year = end.year + (1 if end.month >= start_month else 0)
    return f"FY{year}-Q{number}"


def coming_quarters(today: dt.date, fiscal_year_start_month: int, count: int) -> list[Quarter]:
    """The fiscal quarter holding `today` (starting today) and the `count` − 1 after it."""
    if count < 1:
        raise ValueError(f"a pipeline needs at least one quarter, not {count}")
    quarters: list[Quarter] = []
    start = today
    for _ in range(count):
        end = quarter_end(start, fiscal_year_start_month)
        quarters.append(Quarter(quarter_label(end, fiscal_year_start_month), start, end))
        start = end + dt.timedelta(days=1)
    return quarters


@dataclass(frozen=True)
class WinRate:
    """An account type's chance of winning a deal that closes: `rate` is shrunk toward the
    workspace's (`raw` is its own won / (won + lost), None with no closed deal)."""

    account_type: str
    won: int
    lost: int
    raw: float | None
    rate: float


@dataclass(frozen=True)
class WinRates:
    """Win rates per account type, and the workspace's (None: no deal ever closed)."""

    by_account_type: dict[str, WinRate]
    workspace_rate: float | None
    won: int
    lost: int

    @property
    def has_history(self) -> bool:
        return self.workspace_rate is not None

    def rate(self, account_type: str) -> float:
        """The chance a deal of this type is won once it closes; 1.0 with no history."""
        own = self.by_account_type.get(account_type)
        if own is not None:
            return own.rate
        return 1.0 if self.workspace_rate is None else self.workspace_rate


def win_rates(outcomes: Sequence[DealOutcome], prior_deals: int = PRIOR_DEALS) -> WinRates:
    """Each account type's win rate among its closed deals, shrunk toward the workspace's:
    (won + k × workspace rate) / (won + lost + k) with k = `prior_deals`."""
    counts: dict[str, list[int]] = {}
    for deal in outcomes:
        if deal.won is None:
            continue
        won_lost = counts.setdefault(deal.account_type, [0, 0])
        won_lost[0 if deal.won else 1] += 1
    won = sum(c[0] for c in counts.values())
    lost = sum(c[1] for c in counts.values())
    if won + lost == 0:
        return WinRates({}, None, 0, 0)
    overall = won / (won + lost)
    by_type = {
        account: WinRate(
            account_type=account,
            won=w,
            lost=lo,
            raw=w / (w + lo),
            rate=(w + prior_deals * overall) / (w + lo + prior_deals),
        )
        for account, (w, lo) in sorted(counts.items())
    }
    return WinRates(by_type, overall, won, lost)


@dataclass(frozen=True)
class OpenDeal:
    """An open deal with its plan's forecast: `p_finish_by[i]` is the chance its plan
    finishes by the end of the i-th coming quarter (non-decreasing); `p_win` the chance it is
    won once finished; `p50` / `p80` the plan-implied close dates."""

    plan_id: int
    account_name: str
    amount: float
    currency: str
    owner: str
    account_type: str
    crm_close_date: dt.date | None
    p_finish_by: tuple[float, ...]
    p_win: float
    p50: dt.date
    p80: dt.date

    def closing_chances(self) -> NDArray[np.float64]:
        """The chance of closing in each quarter: P(win) × the plan finishing in it."""
        finish = np.clip(np.maximum.accumulate(np.asarray(self.p_finish_by, float)), 0.0, 1.0)
        return self.p_win * np.diff(finish, prepend=0.0)


@dataclass(frozen=True)
class QuarterForecast:
    """One quarter of one currency: the expected amount closing, the band the total falls in
    8 times out of 10 (P10 to P90), the deals with a chance of closing in it, and how many
    are expected to."""

    quarter: Quarter
    expected_amount: float
    p10: float
    p90: float
    deals: int
    expected_deals: float


@dataclass(frozen=True)
class Breakdown:
    """The expected amount closing per quarter of one owner or account type."""

    name: str
    deals: int
    expected_by_quarter: tuple[float, ...]

    @property
    def expected_total(self) -> float:
        return float(sum(self.expected_by_quarter))


@dataclass(frozen=True)
class CurrencyPipeline:
    """The forecast of the open deals in one currency; `total` covers all the quarters."""

    currency: str
    deals: int
    open_amount: float
    quarters: tuple[QuarterForecast, ...]
    total: QuarterForecast
    by_owner: tuple[Breakdown, ...]
    by_account_type: tuple[Breakdown, ...]


@dataclass(frozen=True)
class LateDeal:
    """A deal whose plan-implied P50 close date is later than its CRM close date."""

    plan_id: int
    account_name: str
    owner: str
    currency: str
    amount: float
    crm_close_date: dt.date
    plan_p50: dt.date
    plan_p80: dt.date
    gap_days: int  # P50 - CRM close date
    gap_p80_days: int


@dataclass(frozen=True)
class Pipeline:
    """The pipeline forecast as of `today`: one part per currency (the main one, with the
    most open deals, first) and the late deals of every currency."""

    today: dt.date
    quarters: tuple[Quarter, ...]
    currencies: tuple[CurrencyPipeline, ...]
    late_deals: tuple[LateDeal, ...]
    has_win_history: bool
    samples: int

    @property
    def main(self) -> CurrencyPipeline | None:
        return self.currencies[0] if self.currencies else None


def pipeline(
    deals: Sequence[OpenDeal],
    quarters: Sequence[Quarter],
    today: dt.date,
    has_win_history: bool = True,
    samples: int = DEFAULT_SAMPLES,
    seed: int = 0,
) -> Pipeline:
    """Forecast the open deals over `quarters`; seeded, so the same input gives the same
    band. Raises ValueError when a deal's chances do not match the quarters."""
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 1:
        raise ValueError(f"samples must be a positive whole number, not {samples!r}")
    for deal in deals:
        if len(deal.p_finish_by) != len(quarters):
            raise ValueError(
                f"plan {deal.plan_id} has {len(deal.p_finish_by)} chances "
                f"for {len(quarters)} quarters"
            )
        if not 0.0 <= deal.p_win <= 1.0:
            raise ValueError(f"plan {deal.plan_id}: a win rate is between 0 and 1")
    by_currency: dict[str, list[OpenDeal]] = {}
    for deal in deals:
        by_currency.setdefault(deal.currency, []).append(deal)
    # The main currency is the one with the most open deals (then the most amount, then A-Z).
    order = sorted(
        by_currency,
        key=lambda c: (-len(by_currency[c]), -sum(d.amount for d in by_currency[c]), c),
    )
    parts = tuple(
        _currency(code, by_currency[code], tuple(quarters), samples, seed) for code in order
    )
    return Pipeline(
        today=today,
        quarters=tuple(quarters),
        currencies=parts,
        late_deals=late_deals(deals),
        has_win_history=has_win_history,
        samples=samples,
    )


def _currency(
    code: str, deals: list[OpenDeal], quarters: tuple[Quarter, ...], samples: int, seed: int
) -> CurrencyPipeline:
    amounts = np.array([d.amount for d in deals], dtype=np.float64)
    chances = np.array([d.closing_chances() for d in deals], dtype=np.float64)
    expected = amounts @ chances  # per quarter
    totals = simulate_totals(amounts, chances, samples, seed)
    low, high = np.quantile(totals, [0.1, 0.9], axis=0)
    rows = tuple(
        QuarterForecast(
            quarter=q,
            expected_amount=float(expected[i]),
            p10=float(low[i]),
            p90=float(high[i]),
            deals=int(np.count_nonzero(chances[:, i] >= COUNTED_CHANCE)),
            expected_deals=float(chances[:, i].sum()),
        )
        for i, q in enumerate(quarters)
    )
    overall = totals.sum(axis=1)
    within = chances.sum(axis=1)
    total = QuarterForecast(
        quarter=Quarter("All", quarters[0].start, quarters[-1].end),
        expected_amount=float(expected.sum()),
        p10=float(np.quantile(overall, 0.1)),
        p90=float(np.quantile(overall, 0.9)),
        deals=int(np.count_nonzero(within >= COUNTED_CHANCE)),
        expected_deals=float(within.sum()),
    )
    return CurrencyPipeline(
        currency=code,
        deals=len(deals),
        open_amount=float(amounts.sum()),
        quarters=rows,
        total=total,
        by_owner=_breakdown([d.owner for d in deals], amounts, chances),
        by_account_type=_breakdown([d.account_type for d in deals], amounts, chances),
    )


def _breakdown(
    names: list[str], amounts: NDArray[np.float64], chances: NDArray[np.float64]
) -> tuple[Breakdown, ...]:
    """Expected per quarter of each name, the largest expected total first (then A-Z)."""
    rows = []
    for name in set(names):
        mine = np.array([n == name for n in names])
        rows.append(
            Breakdown(
                name=name,
                deals=int(mine.sum()),
                expected_by_quarter=tuple(float(v) for v in amounts[mine] @ chances[mine]),
            )
        )
    return tuple(sorted(rows, key=lambda b: (-b.expected_total, b.name)))


def simulate_totals(
    amounts: NDArray[np.float64],
    chances: NDArray[np.float64],
    samples: int,
    seed: int = 0,
) -> NDArray[np.float64]:
    """Samples × quarters of the amount closing: each sample draws every deal's closing
    quarter (or none: lost, or later) from its `chances` (deals × quarters), independently."""
    n_deals, n_quarters = chances.shape
    totals = np.zeros((samples, n_quarters), dtype=np.float64)
    if n_deals == 0:
        return totals
    bounds = np.cumsum(chances, axis=1).astype(np.float32)  # deals × quarters
    weights = amounts.astype(np.float32)
    rng = np.random.default_rng(seed)
    block = max(1, _BLOCK_CELLS // n_deals)
    for first in range(0, samples, block):
        size = min(block, samples - first)
        draws = rng.random((size, n_deals), dtype=np.float32)
        # The closing quarter is the number of cumulative bounds the draw reaches:
        # n_quarters means it does not close in any of them.
        quarter = np.zeros((size, n_deals), dtype=np.int8 if n_quarters < 127 else np.int32)
        for q in range(n_quarters):
            quarter += draws >= bounds[:, q]
        for q in range(n_quarters):
            # float32 (BLAS), a third faster than bool @ float64: 7 significant digits
            # are plenty for a band read in whole units.
            totals[first : first + size, q] = (quarter == q).astype(np.float32) @ weights
    return totals


def late_deals(deals: Sequence[OpenDeal]) -> tuple[LateDeal, ...]:
    """The deals whose plan-implied P50 date is later than their CRM close date, the largest
    gap first (then the P80 gap, then the plan)."""
    late = [
        LateDeal(
            plan_id=d.plan_id,
            account_name=d.account_name,
            owner=d.owner,
            currency=d.currency,
            amount=d.amount,
            crm_close_date=d.crm_close_date,
            plan_p50=d.p50,
            plan_p80=d.p80,
            gap_days=(d.p50 - d.crm_close_date).days,
            gap_p80_days=(d.p80 - d.crm_close_date).days,
        )
        for d in deals
        if d.crm_close_date is not None and d.p50 > d.crm_close_date
    ]
    return tuple(sorted(late, key=lambda d: (-d.gap_days, -d.gap_p80_days, d.plan_id)))

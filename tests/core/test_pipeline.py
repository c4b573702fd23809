"""The pipeline forecast in the core: expected amount per quarter, its P10–P90 band, win
rates, breakdowns, late deals; and a backtest against a known truth."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from scipy import stats

from mutualplan.core.cycles import DealOutcome
from mutualplan.core.durations import StepColumns
from mutualplan.core.forecast import PlanToForecast, RemainingStep, forecast_many
from mutualplan.core.learned import Learned, learn
from mutualplan.core.pipeline import (
    OpenDeal,
    Quarter,
    WinRates,
    coming_quarters,
    late_deals,
    pipeline,
    quarter_label,
    simulate_totals,
    win_rates,
)

TODAY = dt.date(2026, 11, 2)
QUARTERS = coming_quarters(TODAY, 1, 4)


def deal(
    plan_id: int,
    amount: float,
    finish_by: tuple[float, ...],
    p_win: float = 1.0,
    currency: str = "USD",
    owner: str = "Olivia",
    account_type: str = "enterprise",
    crm: dt.date | None = None,
    p50: dt.date = TODAY,
    p80: dt.date = TODAY,
) -> OpenDeal:
    return OpenDeal(
        plan_id=plan_id,
        account_name=f"Account {plan_id}",
        amount=amount,
        currency=currency,
        owner=owner,
        account_type=account_type,
        crm_close_date=crm,
        p_finish_by=finish_by,
        p_win=p_win,
        p50=p50,
        p80=p80,
    )


def test_the_coming_quarters_start_today_and_follow_the_fiscal_year() -> None:
    assert [(q.label, q.start, q.end) for q in QUARTERS] == [
        ("2026-Q4", TODAY, dt.date(2026, 12, 31)),
        ("2027-Q1", dt.date(2027, 1, 1), dt.date(2027, 3, 31)),
        ("2027-Q2", dt.date(2027, 4, 1), dt.date(2027, 6, 30)),
        ("2027-Q3", dt.date(2027, 7, 1), dt.date(2027, 9, 30)),
    ]
    fiscal = coming_quarters(TODAY, 2, 3)  # a fiscal year starting in February
    assert [(q.label, q.end) for q in fiscal] == [
        ("FY2027-Q4", dt.date(2027, 1, 31)),
        ("FY2028-Q1", dt.date(2027, 4, 30)),
        ("FY2028-Q2", dt.date(2027, 7, 31)),
    ]
    assert quarter_label(dt.date(2026, 9, 30), 10) == "FY2026-Q4"
    assert quarter_label(dt.date(2026, 12, 31), 10) == "FY2027-Q1"
    with pytest.raises(ValueError, match="at least one quarter"):
        coming_quarters(TODAY, 1, 0)


def test_the_expected_amount_per_quarter_is_the_sum_of_amount_times_the_chance_of_closing() -> None:
    deals = [
        deal(1, 100_000, (0.2, 0.7, 0.9, 1.0), p_win=0.5),
        deal(2, 40_000, (0.0, 0.1, 0.6, 0.8), p_win=0.8),
        deal(3, 10_000, (1.0, 1.0, 1.0, 1.0), p_win=0.25),
    ]
    result = pipeline(deals, QUARTERS, TODAY, samples=2_000)
    main = result.main
    assert main is not None
    # By hand: amount × P(win) × (P(finish by the end of q) − P(finish by the end of q − 1)).
    by_hand = [
        100_000 * 0.5 * 0.2 + 40_000 * 0.8 * 0.0 + 10_000 * 0.25 * 1.0,
        100_000 * 0.5 * 0.5 + 40_000 * 0.8 * 0.1 + 0.0,
        100_000 * 0.5 * 0.2 + 40_000 * 0.8 * 0.5 + 0.0,
        100_000 * 0.5 * 0.1 + 40_000 * 0.8 * 0.2 + 0.0,
    ]
    assert [q.expected_amount for q in main.quarters] == pytest.approx(by_hand)
    assert main.total.expected_amount == pytest.approx(sum(by_hand))
    assert [q.deals for q in main.quarters] == [2, 2, 2, 2]
    assert main.quarters[0].expected_deals == pytest.approx(0.5 * 0.2 + 0.25)
    assert main.open_amount == 150_000


def test_the_band_surrounds_the_expected_amount_and_the_draws_average_to_it() -> None:
    rng = np.random.default_rng(7)
    amounts = rng.uniform(5_000, 80_000, 60)
    finish = np.sort(rng.uniform(0, 1, (60, 4)), axis=1)
    chances = 0.6 * np.diff(finish, axis=1, prepend=0.0)
    totals = simulate_totals(amounts, chances, 20_000, seed=3)
    assert totals.mean(axis=0) == pytest.approx(amounts @ chances, rel=0.02)
    deals = [
        deal(i, float(a), tuple(f), p_win=0.6)
        for i, (a, f) in enumerate(zip(amounts, finish, strict=True))
    ]
    main = pipeline(deals, QUARTERS, TODAY).main
    assert main is not None
    for q in main.quarters:
        assert q.p10 < q.expected_amount < q.p90


def test_the_band_is_the_same_for_the_same_seed() -> None:
    deals = [deal(i, 1_000.0 * i, (0.3, 0.6, 0.8, 0.9), p_win=0.5) for i in range(1, 20)]
    first = pipeline(deals, QUARTERS, TODAY, seed=5)
    again = pipeline(deals, QUARTERS, TODAY, seed=5)
    assert first == again


def test_a_deal_sure_to_close_gives_a_band_of_its_amount() -> None:
    main = pipeline([deal(1, 5_000, (1.0, 1.0, 1.0, 1.0))], QUARTERS, TODAY).main
    assert main is not None
    assert (main.quarters[0].p10, main.quarters[0].p90) == (5_000, 5_000)
    assert (main.quarters[1].p10, main.quarters[1].p90) == (0, 0)


def test_amounts_in_different_currencies_are_never_added() -> None:
    deals = [
        deal(1, 100, (1.0,) * 4, currency="EUR"),
        deal(2, 200, (1.0,) * 4, currency="USD"),
        deal(3, 300, (1.0,) * 4, currency="USD"),
    ]
    result = pipeline(deals, QUARTERS, TODAY)
    assert [(c.currency, c.deals, c.quarters[0].expected_amount) for c in result.currencies] == [
        ("USD", 2, 500),
        ("EUR", 1, 100),
    ]


def test_the_breakdowns_by_owner_and_account_type_add_up_to_the_quarters() -> None:
    deals = [
        deal(1, 100, (0.5, 1.0, 1.0, 1.0), owner="Olivia", account_type="smb"),
        deal(2, 200, (0.0, 0.5, 1.0, 1.0), owner="Theo", account_type="smb"),
        deal(3, 400, (0.25, 0.5, 0.75, 1.0), owner="Olivia", account_type="enterprise"),
    ]
    main = pipeline(deals, QUARTERS, TODAY).main
    assert main is not None
    owners = {b.name: (b.deals, b.expected_by_quarter) for b in main.by_owner}
    assert owners == {"Olivia": (2, (150, 150, 100, 100)), "Theo": (1, (0, 100, 100, 0))}
    assert [b.name for b in main.by_owner] == ["Olivia", "Theo"]  # largest first
    types = {b.name: b.expected_by_quarter for b in main.by_account_type}
    assert types == {"enterprise": (100, 100, 100, 100), "smb": (50, 150, 100, 0)}
    for i, q in enumerate(main.quarters):
        assert sum(b.expected_by_quarter[i] for b in main.by_owner) == q.expected_amount


def test_win_rates_shrink_small_account_types_toward_the_workspaces_rate() -> None:
    def closed(account: str, won: bool) -> DealOutcome:
        return DealOutcome(account, dt.date(2026, 1, 1), dt.date(2026, 3, 1), won)

    outcomes = (
        [closed("enterprise", True)] * 30
        + [closed("enterprise", False)] * 10
        + [closed("smb", False)] * 2
        + [DealOutcome("smb", dt.date(2026, 5, 1), None, None)]  # open: not counted
    )
    rates = win_rates(outcomes, prior_deals=10)
    assert rates.workspace_rate == pytest.approx(30 / 42)
    assert (rates.won, rates.lost) == (30, 12)
    smb = rates.by_account_type["smb"]
    assert (smb.won, smb.lost, smb.raw) == (0, 2, 0.0)
    assert smb.rate == pytest.approx((0 + 10 * 30 / 42) / (2 + 10))
    enterprise = rates.by_account_type["enterprise"]
    assert enterprise.rate == pytest.approx((30 + 10 * 30 / 42) / (40 + 10))
    assert rates.rate("mid_market") == pytest.approx(30 / 42)  # no history: the workspace's


def test_with_no_closed_deal_the_chance_is_the_plan_finishing_and_says_so() -> None:
    rates = win_rates([DealOutcome("smb", dt.date(2026, 1, 1), None, None)])
    assert not rates.has_history
    assert rates.rate("smb") == 1.0


def test_late_deals_are_those_whose_plan_p50_is_after_the_crm_close_date_largest_gap_first() -> (
    None
):
    crm = dt.date(2026, 12, 1)
    deals = [
        deal(1, 10, (1.0,) * 4, crm=crm, p50=crm + dt.timedelta(5), p80=crm + dt.timedelta(20)),
        deal(2, 10, (1.0,) * 4, crm=crm, p50=crm, p80=crm + dt.timedelta(30)),  # on time
        deal(3, 10, (1.0,) * 4, crm=crm, p50=crm + dt.timedelta(40), p80=crm + dt.timedelta(60)),
        deal(4, 10, (1.0,) * 4, crm=None, p50=crm + dt.timedelta(99)),  # no CRM date
    ]
    late = late_deals(deals)
    assert [(d.plan_id, d.gap_days, d.gap_p80_days) for d in late] == [(3, 40, 60), (1, 5, 20)]


def test_chances_that_do_not_match_the_quarters_are_refused() -> None:
    with pytest.raises(ValueError, match="2 chances for 4 quarters"):
        pipeline([deal(1, 10, (0.5, 1.0))], QUARTERS, TODAY)
    with pytest.raises(ValueError, match="samples"):
        pipeline([], QUARTERS, TODAY, samples=0)


def test_no_open_deal_gives_an_empty_pipeline() -> None:
    result = pipeline([], QUARTERS, TODAY)
    assert result.currencies == () and result.main is None and result.late_deals == ()


# The backtest: step durations and win rates whose truth is known. History is drawn from
# the truth and learned from; open deals are forecast as of a past date; each deal's real
# finish is then drawn from the same truth (an open step's given the days it has already
# run), and the realised total of each quarter is compared with the forecast's band.
TRUTH = {  # step type: lognormal (median days, sigma)
    "business_case": (12.0, 0.5),
    "security_review": (25.0, 0.6),
    "legal_redline": (18.0, 0.7),
    "procurement_po": (10.0, 0.5),
    "contract_execution": (5.0, 0.4),
}
STEPS = tuple(TRUTH)
WIN = {"enterprise": 0.45, "smb": 0.7}


def _truth(step_type: str) -> stats.rv_continuous:
    median, sigma = TRUTH[step_type]
    return stats.lognorm(s=sigma, scale=median)


def _history(rng: np.random.Generator) -> tuple[StepColumns, list[DealOutcome]]:
    n = 300
    types = np.repeat(np.array(STEPS), n)
    days = np.concatenate([np.ceil(_truth(t).rvs(n, random_state=rng)) for t in STEPS])
    columns = StepColumns(
        step_type=types.astype(np.str_),
        account_type=np.full(len(types), "any", dtype=np.str_),
        days=days.astype(np.int64),
        finished=np.ones(len(types), dtype=bool),
        planned_days=np.full(len(types), np.nan),
        slipped_days=np.zeros(len(types), dtype=np.int64),
        reason_step=np.array([], dtype=np.int64),
        reason=np.array([], dtype=np.str_),
    )
    start, end = dt.date(2024, 1, 1), dt.date(2024, 6, 1)
    outcomes = [
        DealOutcome(account, start, end, bool(won))
        for account, p in WIN.items()
        for won in rng.random(150) < p
    ]
    return columns, outcomes


def _scenario(
    rng: np.random.Generator, today: dt.date, learned: Learned, rates: WinRates
) -> list[tuple[bool, bool]]:
    """One past date: forecast 40 open deals, draw what really happened, and say for each
    quarter whether the realised total fell in the band (and whether the band is a point)."""
    quarters = coming_quarters(today, 1, 3)
    ends = [(q.end - today).days for q in quarters]
    plans, accounts, amounts, finish_day, won = [], [], [], [], []
    for i in range(40):
        account = "enterprise" if rng.random() < 0.5 else "smb"
        first = int(rng.integers(0, len(STEPS)))  # steps already done
        spent = int(rng.integers(0, 20))  # days in the step under way
        remaining = STEPS[first:]
        steps = []
        real = 0.0
        for k, step_type in enumerate(remaining):
            truth = _truth(step_type)
            if k == 0:
                # The step under way really takes longer than the days it has run.
                low = truth.cdf(spent)
                total = np.ceil(truth.ppf(low + (1 - low) * rng.random()))
                total = max(total, spent + 1)
                real += total - spent
            else:
                real += np.ceil(truth.rvs(random_state=rng))
            durations, _ = learned.durations(step_type, "any", None)
            steps.append(
                RemainingStep(
                    f"{i}-{k}",
                    durations,
                    (f"{i}-{k - 1}",) if k else (),
                    in_progress=k == 0,
                    days_spent=float(spent) if k == 0 else 0.0,
                )
            )
        plans.append(
            PlanToForecast(
                tuple(steps),
                today,
                quarters[-1].end,
                quarters[0].end,
                seed=int(rng.integers(1 << 30)),
                horizons=tuple(q.end for q in quarters),
            )
        )
        accounts.append(account)
        amounts.append(float(rng.choice([10_000, 25_000, 60_000, 150_000]) * rng.uniform(0.5, 1.5)))
        finish_day.append(real)
        won.append(rng.random() < WIN[account])
    forecasts = forecast_many(plans, 2_000)
    deals = [
        OpenDeal(
            plan_id=i,
            account_name=f"Account {i}",
            amount=amounts[i],
            currency="USD",
            owner="Olivia",
            account_type=accounts[i],
            crm_close_date=None,
            p_finish_by=f.p_by_horizon,
            p_win=rates.rate(accounts[i]),
            p50=f.p50,
            p80=f.p80,
        )
        for i, f in enumerate(forecasts)
    ]
    main = pipeline(deals, quarters, today, samples=5_000, seed=int(rng.integers(1 << 30))).main
    assert main is not None
    checks = []
    for q, end in enumerate(ends):
        before = ends[q - 1] if q else 0
        realised = sum(
            a
            for a, d, w in zip(amounts, finish_day, won, strict=True)
            if w and (before < d <= end if q else d <= end)
        )
        band = main.quarters[q]
        checks.append((band.p10 <= realised <= band.p90, band.p10 == band.p90))
    return checks


def test_in_a_backtest_the_p10_to_p90_band_holds_the_realised_total_about_8_times_in_10() -> None:
    rng = np.random.default_rng(2026)
    columns, outcomes = _history(rng)
    learned = learn(columns)
    rates = win_rates(outcomes)
    checks = []
    for n in range(20):
        today = dt.date(2025, 1, 10) + dt.timedelta(days=17 * n)
        checks.extend(_scenario(rng, today, learned, rates))
    # A quarter nothing can close in (a band of one point, 0 to 0) proves nothing: left out.
    ranges = [hit for hit, point in checks if not point]
    inside = sum(ranges) / len(ranges)
    print(
        f"backtest: realised total inside the P10-P90 band in {inside:.0%} of {len(ranges)} "
        f"quarters ({len(checks) - len(ranges)} with nothing to close left out)"
    )
    assert len(ranges) >= 40
    assert 0.65 <= inside <= 0.95


def test_a_single_deal_pipeline_uses_the_quarter_dataclass() -> None:
    quarter = Quarter("2026-Q4", TODAY, dt.date(2026, 12, 31))
    main = pipeline([deal(1, 10, (0.5,))], [quarter], TODAY).main
    assert main is not None and main.total.quarter.label == "All"

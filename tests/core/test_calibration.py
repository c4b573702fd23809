"""The forecast's "probability of finishing by the target" is calibrated on a generated
history whose true step durations are known (core/simulate.py), replayed as of past dates.

At every cut (weekly, from FIRST_CUT_DAY into the history to LAST_CUT_MARGIN days before its
end) durations are learned only from what was known at the cut (open steps censored), and
every deal open then is forecast against the target it had then. Its outcome is whether it
finished by that target. Only deals that went on to finish (won: every step done) count:
the forecast is of the plan's finish, not of winning, and a lost deal never finishes. The
generator loses deals independently of how long their steps take, so leaving them out does
not favour fast deals. Deals still open at the end of the history are left out too; the cuts
stop half a year before the end so that they are almost none (checked below), since leaving
out many of them would leave out the slowest deals.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pytest

from mutualplan.core.forecast import forecast_many
from mutualplan.core.learned import learn
from mutualplan.core.simulate import DAYS_OF_HISTORY, History, columns_as_of, generate
from mutualplan.core.simulate import open_plans_as_of as open_plans

TODAY = dt.date(2026, 6, 30)
DEALS = 2_000
SEED = 12
SAMPLES = 1_000
FIRST_CUT_DAY = 90  # enough finished steps of every step type × account type to learn from
LAST_CUT_MARGIN = 180
CUT_EVERY = 7
MAX_POINTS_OFF = 0.07
MIN_CASES_IN_DECILE = 50


@dataclass(frozen=True)
class Cases:
    predicted: np.ndarray
    finished_by_target: np.ndarray
    historical_rate: np.ndarray
    left_open: int
    lost: int


def _replay(history: History) -> Cases:
    start = history.today - dt.timedelta(days=DAYS_OF_HISTORY)
    cuts = [
        start + dt.timedelta(days=d)
        for d in range(FIRST_CUT_DAY, DAYS_OF_HISTORY - LAST_CUT_MARGIN, CUT_EVERY)
    ]
    predicted: list[float] = []
    outcome: list[bool] = []
    rate: list[float] = []
    left_open = lost = 0
    for cut in cuts:
        learned = learn(columns_as_of(history, cut))
        plans = open_plans(history, cut, learned)
        closed = [d for d in history.deals if d.outcome == "won" and d.closed and d.closed <= cut]
        on_time = [d.closed is not None and d.closed <= d.baseline_target for d in closed]
        historical = float(np.mean(on_time)) if on_time else 0.5
        for case, result in zip(
            plans, forecast_many([p.plan for p in plans], SAMPLES), strict=True
        ):
            deal = case.deal
            if deal.outcome != "won" or deal.closed is None:
                left_open += deal.outcome == "open"
                lost += deal.outcome == "lost"
                continue
            predicted.append(result.p_by_target)
            outcome.append(deal.closed <= case.plan.target)
            rate.append(historical)
    return Cases(
        np.array(predicted), np.array(outcome, dtype=float), np.array(rate), left_open, lost
    )


@pytest.fixture(scope="module")
def cases() -> Cases:
    return _replay(generate(DEALS, TODAY, seed=SEED))


def _decile_table(cases: Cases) -> list[tuple[str, int, float, float]]:
    deciles = np.minimum((cases.predicted * 10).astype(int), 9)
    rows = []
    for d in range(10):
        chosen = deciles == d
        n = int(chosen.sum())
        if n:
            p = float(cases.predicted[chosen].mean())
            rows.append(
                (
                    f"{d / 10:.1f}–{(d + 1) / 10:.1f}",
                    n,
                    p,
                    float(cases.finished_by_target[chosen].mean()),
                )
            )
        else:
            rows.append((f"{d / 10:.1f}–{(d + 1) / 10:.1f}", 0, float("nan"), float("nan")))
    return rows


def _brier(predicted: np.ndarray, outcome: np.ndarray) -> float:
    return float(np.mean((predicted - outcome) ** 2))


def _report(cases: Cases) -> str:
    lines = ["decile     cases  predicted  observed"]
    for label, n, p, o in _decile_table(cases):
        lines.append(f"{label:9}  {n:5}  {p:9.3f}  {o:8.3f}")
    y = cases.finished_by_target
    lines.append(f"Brier forecast:                     {_brier(cases.predicted, y):.4f}")
    lines.append(f"Brier 'closes on its target':       {_brier(np.ones_like(y), y):.4f}")
    lines.append(f"Brier historical on-time rate:      {_brier(cases.historical_rate, y):.4f}")
    lines.append(
        f"{len(y)} cases; left out: {cases.lost} of deals lost later, "
        f"{cases.left_open} of deals still open at the end"
    )
    return "\n".join(lines)


def test_the_replay_has_at_least_two_thousand_forecast_cases_and_almost_none_left_open(
    cases: Cases,
) -> None:
    print("\n" + _report(cases))
    assert len(cases.predicted) >= 2_000
    assert cases.left_open <= 0.01 * len(cases.predicted), _report(cases)


def test_every_decile_of_predicted_probability_is_within_seven_points_of_what_happened(
    cases: Cases,
) -> None:
    checked = 0
    for label, n, p, observed in _decile_table(cases):
        if n >= MIN_CASES_IN_DECILE:
            checked += 1
            assert abs(observed - p) <= MAX_POINTS_OFF, f"decile {label}\n{_report(cases)}"
    assert checked >= 8, _report(cases)


def test_the_forecast_has_a_better_brier_score_than_both_baselines(cases: Cases) -> None:
    y = cases.finished_by_target
    forecast = _brier(cases.predicted, y)
    assert forecast < _brier(np.ones_like(y), y), _report(cases)
    assert forecast < _brier(cases.historical_rate, y), _report(cases)

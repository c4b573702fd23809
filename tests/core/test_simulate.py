"""The generated deal history: reproducible, true to its documented distributions, and its
replay as of a past date knows nothing of what came after."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from mutualplan.core.health import quarter_end
from mutualplan.core.learned import learn
from mutualplan.core.simulate import (
    ACCOUNT_PACE,
    TRUE_MEDIAN_DAYS,
    History,
    account_names,
    columns_as_of,
    generate,
    observations_as_of,
    open_plans_as_of,
)
from mutualplan.core.vocab import SlipReason

TODAY = dt.date(2026, 6, 30)


@pytest.fixture(scope="module")
def history() -> History:
    return generate(600, TODAY, seed=3)


def test_the_same_seed_gives_the_same_history_and_another_seed_another() -> None:
    assert generate(50, TODAY, seed=1) == generate(50, TODAY, seed=1)
    assert generate(50, TODAY, seed=1) != generate(50, TODAY, seed=2)


def test_step_durations_follow_the_documented_medians_per_account_type(history: History) -> None:
    for account, pace in ACCOUNT_PACE.items():
        days = [
            s.true_days
            for d in history.deals
            if d.account_type == account
            for s in d.steps
            if s.step_type == "security_review"
        ]
        truth = TRUE_MEDIAN_DAYS["security_review"] * pace
        assert abs(float(np.median(days)) - truth) <= 0.15 * truth, account


def test_a_step_starts_when_its_last_dependency_finishes_and_a_won_deal_closes_with_its_last(
    history: History,
) -> None:
    for deal in history.deals:
        steps = {s.key: s for s in deal.steps}
        for step in deal.steps:
            if step.started is None:
                continue
            finishes = [steps[d].finished for d in step.depends_on]
            if not step.depends_on:
                assert step.started == deal.created
            else:
                assert all(f is not None for f in finishes)
                assert step.started == max(f for f in finishes if f is not None)
        if deal.outcome == "won":
            assert all(s.finished is not None for s in deal.steps)
            assert deal.closed == max(s.finished for s in deal.steps if s.finished)
        elif deal.outcome == "lost":
            assert any(s.finished is None for s in deal.steps)
        else:
            assert deal.closed is None


def test_deals_are_won_lost_and_open_across_account_types_with_slips_and_reasons(
    history: History,
) -> None:
    outcomes = {d.outcome for d in history.deals}
    assert outcomes == {"won", "lost", "open"}
    assert {d.account_type for d in history.deals} == set(ACCOUNT_PACE)
    slips = [slip for d in history.deals for s in d.steps for slip in s.slips]
    assert len(slips) > 300
    assert {slip.reason for slip in slips} <= {r.value for r in SlipReason}
    for slip in slips:
        # The day after the date passed, or earlier when a prerequisite's slip pushed it.
        assert slip.on <= slip.from_date + dt.timedelta(days=1) and slip.days >= 1
        assert slip.on <= TODAY
    # Nothing after today is recorded.
    for deal in history.deals:
        for step in deal.steps:
            assert step.finished is None or step.finished <= TODAY
            if step.finished is not None:
                assert step.due >= step.finished


def test_a_step_whose_prerequisite_slips_keeps_its_planned_time_after_it(
    history: History,
) -> None:
    for deal in history.deals:
        steps = {s.key: s for s in deal.steps}
        for step in deal.steps:
            for dep in step.depends_on:
                for slip in steps[dep].slips:
                    if step.finished is None or step.finished > slip.on:
                        assert step.due_as_of(slip.on) > slip.to_date
        # Nor is the target left before the last step's due date while the plan is open.
        for slip in deal.steps[-1].slips:
            if deal.closed is None or deal.closed > slip.on:
                assert deal.target_as_of(slip.on) >= slip.to_date


def test_enterprise_deals_are_the_slowest_and_the_largest(history: History) -> None:
    def median(account: str, what: str) -> float:
        won = [d for d in history.deals if d.account_type == account and d.outcome == "won"]
        values = [
            (d.closed - d.created).days if what == "cycle" and d.closed else d.amount for d in won
        ]
        return float(np.median(values))

    assert median("enterprise", "cycle") > median("mid_market", "cycle") > median("smb", "cycle")
    assert median("enterprise", "amount") > median("mid_market", "amount") > median("smb", "amount")


def test_account_names_are_distinct_and_look_like_companies() -> None:
    names = account_names(5_000)
    assert len(set(names)) == 5_000
    assert all(" " in name and name[0].isupper() for name in names)


def test_the_replay_as_of_a_past_day_knows_nothing_that_came_after(history: History) -> None:
    day = TODAY - dt.timedelta(days=200)
    observations = observations_as_of(history, day)
    assert observations
    for o in observations:
        assert o.started <= o.as_of <= day
        assert o.finished is None or o.finished <= o.as_of
    columns = columns_as_of(history, day)
    assert len(columns.days) == len(observations)
    assert columns.finished.sum() < len(observations)  # some steps were open then

    plans = open_plans_as_of(history, day, learn(columns))
    assert plans
    for case in plans:
        deal = case.deal
        assert deal.created <= day and (deal.closed is None or deal.closed > day)
        assert case.plan.today == day and case.plan.quarter_end == quarter_end(day, 1)
        assert case.plan.target == deal.target_as_of(day)
        by_key = {s.key: s for s in deal.steps}
        for step in case.plan.steps:
            sim = by_key[step.id]
            assert sim.finished is None or sim.finished > day
            if step.in_progress:
                assert sim.started is not None
                assert step.days_spent == (day - sim.started).days
            else:
                assert sim.started is None or sim.started > day
        assert len({p.plan.seed for p in plans}) == len(plans)


def test_a_replay_after_the_histories_today_is_refused(history: History) -> None:
    with pytest.raises(ValueError, match="past its today"):
        observations_as_of(history, TODAY + dt.timedelta(days=1))


def test_the_quarter_end_is_the_last_day_of_the_days_quarter() -> None:
    assert quarter_end(dt.date(2026, 2, 10), 1) == dt.date(2026, 3, 31)
    assert quarter_end(dt.date(2026, 11, 30), 1) == dt.date(2026, 12, 31)
    assert quarter_end(dt.date(2026, 9, 30), 1) == dt.date(2026, 9, 30)

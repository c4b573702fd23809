"""Step durations in the core: Kaplan–Meier turnaround with open steps censored, the duration
table per step type × account type, shrinkage of small groups, and the realistic turnaround."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from scipy import stats

from mutualplan.core.durations import (
    DurationRow,
    StepColumns,
    StepObservation,
    duration_table,
    realistic_turnaround,
    realistic_turnarounds,
)
from mutualplan.core.survival import blend, kaplan_meier, quantile

AS_OF = dt.date(2026, 6, 30)
SECURITY = "security_review"
LEGAL = "legal_redline"


def step(
    days: int,
    *,
    open: bool = False,
    account: str = "enterprise",
    type: str = SECURITY,
    planned: int | None = None,
    slipped: int = 0,
    reasons: tuple[str, ...] = (),
) -> StepObservation:
    """A step that finished `days` after it started on or before AS_OF, or has been open
    for `days` on AS_OF."""
    if open:
        return StepObservation(
            type, account, AS_OF - dt.timedelta(days), None, AS_OF, planned, slipped, reasons
        )
    started = AS_OF - dt.timedelta(days + 7)
    return StepObservation(
        type,
        account,
        started,
        started + dt.timedelta(days),
        AS_OF,
        planned,
        slipped,
        reasons,
    )


def row(table: list[DurationRow], type: str, account: str | None) -> DurationRow:
    return next(r for r in table if r.step_type == type and r.account_type == account)


# --- Censoring against a known truth ---------------------------------------------------------


def _generated_history(seed: int) -> tuple[list[StepObservation], dict[str, float]]:
    """Steps starting uniformly over the 2.25 medians before AS_OF (so about half are still
    open) with lognormal turnarounds: the ones that would finish after AS_OF are open then,
    censored at an earlier time than their true finish. Long steps are the likeliest to be
    open, as in real pipelines."""
    rng = np.random.default_rng(seed)
    truth = {SECURITY: 20.0, LEGAL: 12.0}  # the lognormal medians exp(mu), in days
    history: list[StepObservation] = []
    for step_type, median in truth.items():
        turnaround = np.ceil(rng.lognormal(np.log(median), 0.6, 4000)).astype(int)
        started_ago = rng.integers(0, round(2.25 * median), 4000)
        for days, ago, account in zip(
            turnaround, started_ago, rng.choice(["smb", "enterprise"], 4000), strict=True
        ):
            started = AS_OF - dt.timedelta(int(ago))
            finished = started + dt.timedelta(int(days))
            history.append(StepObservation(step_type, str(account), started, finished, AS_OF))
    return history, truth


def test_the_kaplan_meier_median_recovers_the_true_median_with_half_the_steps_still_open() -> None:
    history, truth = _generated_history(seed=7)
    table = duration_table(history)
    for step_type, true_median in truth.items():
        overall = row(table, step_type, None)
        assert 0.35 < overall.open / overall.observations < 0.65
        assert overall.median.value is not None
        # Whole days: the true median of ceil(X) is within a day of exp(mu).
        assert abs(overall.median.value - true_median) <= 0.05 * true_median + 1


def test_dropping_the_open_steps_would_bias_the_median_low() -> None:
    history, truth = _generated_history(seed=7)
    for step_type, true_median in truth.items():
        finished_only = [o.days for o in history if o.step_type == step_type and o.is_finished]
        assert float(np.median(finished_only)) < true_median - 0.15 * true_median


def test_the_survival_curve_agrees_with_scipys_ecdf_on_censored_data() -> None:
    rng = np.random.default_rng(3)
    for durations in (
        rng.lognormal(2.5, 0.7, 500),  # distinct times
        np.ceil(rng.lognormal(2.5, 0.7, 500)),  # whole days, with ties
    ):
        finished = rng.random(500) < 0.55
        ours = kaplan_meier(durations, finished)
        theirs = stats.ecdf(stats.CensoredData.right_censored(durations, ~finished)).sf
        at = np.array([0.0, 1.0, 5.0, 9.5, 12.0, 20.0, 33.3, 60.0, 500.0])
        np.testing.assert_allclose(ours.evaluate(at), theirs.evaluate(at), atol=1e-12)
        at_times = ours.times
        np.testing.assert_allclose(ours.evaluate(at_times), theirs.evaluate(at_times))


# --- A hand-checked small history -------------------------------------------------------------


def small_history() -> list[StepObservation]:
    legal, priorities, stakeholder = (
        "legal_or_security_delay",
        "competing_priorities",
        "stakeholder_not_engaged",
    )
    return [
        step(10, planned=7, slipped=3, reasons=(legal,)),
        step(20, planned=14, slipped=6, reasons=(legal, priorities)),
        step(30, planned=30),
        step(25, open=True, planned=14, slipped=5, reasons=(stakeholder,)),
        step(40, slipped=10, reasons=(legal,)),
        step(5, account="smb", planned=5),
        step(8, account="smb", planned=5, slipped=3, reasons=(priorities,)),
        step(12, account="smb", open=True, planned=7),
    ]


def test_the_duration_table_matches_a_hand_computation_on_a_small_history() -> None:
    table = duration_table(small_history(), k=0)  # no shrinkage: each group's own figures
    assert [(r.step_type, r.account_type) for r in table] == [
        (SECURITY, None),
        (SECURITY, "enterprise"),
        (SECURITY, "smb"),
    ]

    # Enterprise: finished at 10, 20, 30, 40; open at 25 (censored).
    #   S(10) = 4/5 = 0.8; S(20) = 0.8 * 3/4 = 0.6; 25 censored leaves 2 at risk;
    #   S(30) = 0.6 * 1/2 = 0.3; S(40) = 0.3 * 0/1 = 0.
    #   Median: first S <= 0.5 is at 30. P80: first S <= 0.2 is at 40.
    #   Planned vs actual, finished with a plan: (10-7, 20-14, 30-30) -> mean 9/3 = 3.
    #   Slipped: 4 of 5 = 0.8, by (3+6+5+10)/4 = 6 days. Reasons: legal 3, priorities 1,
    #   stakeholder 1 (ties by name).
    enterprise = row(table, SECURITY, "enterprise")
    assert (enterprise.observations, enterprise.finished, enterprise.open) == (5, 4, 1)
    assert (enterprise.median.value, enterprise.p80.value) == (30, 40)
    assert enterprise.median.rests_on == 5 and not enterprise.median.shrunk
    assert (enterprise.planned_vs_actual.value, enterprise.planned_vs_actual.rests_on) == (3, 3)
    assert (enterprise.slip_share.value, enterprise.slip_share.rests_on) == (0.8, 5)
    assert (enterprise.mean_days_slipped.value, enterprise.mean_days_slipped.rests_on) == (6, 4)
    assert enterprise.top_reasons == (
        ("legal_or_security_delay", 3),
        ("competing_priorities", 1),
        ("stakeholder_not_engaged", 1),
    )

    # SMB: finished at 5, 8; open at 12. S(5) = 2/3; S(8) = 2/3 * 1/2 = 1/3.
    #   Median 8; the curve never reaches 0.2, so P80 is "at least 12 days".
    #   Planned vs actual: (5-5, 8-5) -> 1.5. Slipped 1 of 3 by 3 days.
    smb = row(table, SECURITY, "smb")
    assert smb.median.value == 8
    assert (smb.p80.value, smb.p80.at_least) == (None, 12)
    assert smb.planned_vs_actual.value == 1.5
    assert smb.slip_share.value == pytest.approx(1 / 3)
    assert smb.mean_days_slipped.value == 3
    assert smb.top_reasons == (("competing_priorities", 1),)

    # All 8: finished 5, 8, 10, 20, 30, 40; open 12, 25.
    #   S(5) = 7/8 = .875; S(8) = .875 * 6/7 = .75; S(10) = .75 * 5/6 = .625;
    #   12 censored; S(20) = .625 * 3/4 = .46875; 25 censored; S(30) = .46875 * 1/2 = .234375;
    #   S(40) = 0. Median 20, P80 40. Planned vs actual (3, 6, 0, 0, 3) -> 12/5 = 2.4.
    #   Slipped 5 of 8 = .625 by (3+6+5+10+3)/5 = 5.4. Reasons: legal 3, priorities 2, ...
    overall = row(table, SECURITY, None)
    assert (overall.observations, overall.finished, overall.open) == (8, 6, 2)
    np.testing.assert_allclose(
        overall.curve.evaluate([5, 8, 10, 12, 20, 25, 30, 40]),
        [0.875, 0.75, 0.625, 0.625, 0.46875, 0.46875, 0.234375, 0.0],
    )
    assert (overall.median.value, overall.p80.value) == (20, 40)
    assert overall.planned_vs_actual.value == pytest.approx(2.4)
    assert (overall.slip_share.value, overall.mean_days_slipped.value) == (0.625, 5.4)
    assert overall.top_reasons[:2] == (
        ("legal_or_security_delay", 3),
        ("competing_priorities", 2),
    )


def test_a_small_group_is_shrunk_toward_its_step_type_with_the_weight_n_over_n_plus_k() -> None:
    table = duration_table(small_history())  # k = 10
    # SMB, n = 3: weight 3/13 on its own curve, 10/13 on the overall one.
    #   S(10) = 3/13 * 1/3 + 10/13 * .625 = (1 + 6.25)/13 = .558 > .5
    #   S(20) = 3/13 * 1/3 + 10/13 * .46875 = (1 + 4.6875)/13 = .4375 -> median 20 (own 8)
    #   S(30) = (1 + 2.34375)/13 = .257; S(40) = 1/13 = .077 -> P80 40 (own: never reached)
    smb = row(table, SECURITY, "smb")
    np.testing.assert_allclose(smb.curve.evaluate([10, 20]), [7.25 / 13, 5.6875 / 13])
    assert (smb.median.value, smb.median.raw, smb.median.shrunk) == (20, 8, True)
    assert (smb.p80.value, smb.p80.raw, smb.p80.rests_on) == (40, None, 3)
    # The step type's own row rests on everyone and is never shrunk.
    overall = row(table, SECURITY, None)
    assert (overall.median.value, overall.median.shrunk, overall.median.rests_on) == (20, False, 8)


def test_a_group_of_two_is_pulled_toward_the_step_type_and_a_group_of_200_barely_moves() -> None:
    history = (
        [step(5, account="smb") for _ in range(2)]
        + [step(10, account="mid_market") for _ in range(200)]
        + [step(30, account="enterprise") for _ in range(200)]
    )
    table = duration_table(history)
    # Overall: S(5) = 400/402, S(10) = 200/402 < .5 -> median 10.
    # SMB, weight 2/12: S(5) = 10/12 * 400/402 = .83, S(10) = 10/12 * 200/402 = .41 -> 10.
    smb = row(table, SECURITY, "smb")
    assert (smb.median.raw, smb.median.value, smb.median.rests_on) == (5, 10, 2)
    # Enterprise, weight 200/210: S(10) = 200/210 + 10/210 * 200/402 > .5 -> stays at 30.
    enterprise = row(table, SECURITY, "enterprise")
    assert (enterprise.median.raw, enterprise.median.value) == (30, 30)
    assert enterprise.median.rests_on == 200 and enterprise.median.shrunk
    np.testing.assert_allclose(enterprise.curve.evaluate(10), 200 / 210 + 10 / 210 * 200 / 402)


def test_columns_read_straight_from_a_query_give_the_same_table_as_observations() -> None:
    columns = StepColumns(
        step_type=np.array([SECURITY] * 8),
        account_type=np.array(["enterprise"] * 5 + ["smb"] * 3),
        days=np.array([10, 20, 30, 25, 40, 5, 8, 12]),
        finished=np.array([True, True, True, False, True, True, True, False]),
        planned_days=np.array([7, 14, 30, 14, np.nan, 5, 5, 7]),
        slipped_days=np.array([3, 6, 0, 5, 10, 0, 3, 0]),
        reason_step=np.array([0, 1, 1, 3, 4, 6]),
        reason=np.array(
            [
                "legal_or_security_delay",
                "legal_or_security_delay",
                "competing_priorities",
                "stakeholder_not_engaged",
                "legal_or_security_delay",
                "competing_priorities",
            ]
        ),
    )
    from_columns, from_observations = duration_table(columns), duration_table(small_history())
    for ours, theirs in zip(from_columns, from_observations, strict=True):
        assert (ours.median, ours.p80, ours.top_reasons, ours.slip_share) == (
            theirs.median,
            theirs.p80,
            theirs.top_reasons,
            theirs.slip_share,
        )
        assert (ours.planned_vs_actual, ours.mean_days_slipped, ours.open) == (
            theirs.planned_vs_actual,
            theirs.mean_days_slipped,
            theirs.open,
        )


def test_columns_given_as_codes_give_the_same_table_as_columns_of_names() -> None:
    named = StepColumns.of(small_history())
    accounts = ["smb", "enterprise", "smb"]  # unsorted, one name twice: codes 0 and 2 agree
    account_code = np.array([accounts.index(str(a)) for a in named.account_type])
    account_code[account_code == 0] = np.array([0, 2] * 8)[: (account_code == 0).sum()]
    reasons = sorted(set(named.reason.tolist()), reverse=True)
    coded = StepColumns.coded(
        {
            "step_type": ([SECURITY], np.zeros(len(named.days), dtype=np.int64)),
            "account_type": (accounts, account_code),
            "reason": (reasons, np.array([reasons.index(str(r)) for r in named.reason])),
        },
        days=named.days,
        finished=named.finished,
        planned_days=named.planned_days,
        slipped_days=named.slipped_days,
        reason_step=named.reason_step,
    )
    assert coded.account_type.tolist() == named.account_type.tolist()
    assert coded.reason.tolist() == named.reason.tolist()
    fields = ("step_type", "account_type", "observations", "median", "p80", "top_reasons")
    assert [[getattr(r, f) for f in fields] for r in duration_table(coded)] == [
        [getattr(r, f) for f in fields] for r in duration_table(named)
    ]


def test_columns_of_different_lengths_or_out_of_range_are_refused() -> None:
    ok = StepColumns.of(small_history())
    with pytest.raises(ValueError, match="one entry per step"):
        StepColumns(**{**ok.__dict__, "days": ok.days[:-1]})
    with pytest.raises(ValueError, match="same length"):
        StepColumns(**{**ok.__dict__, "reason": ok.reason[:-1]})
    with pytest.raises(ValueError, match="must index a step"):
        StepColumns(**{**ok.__dict__, "reason_step": ok.reason_step + 8})
    with pytest.raises(ValueError, match="must not be negative"):
        StepColumns(**{**ok.__dict__, "days": ok.days - 100})


# --- The realistic turnaround suggestion ---------------------------------------------------


def test_the_realistic_turnaround_is_the_p80_of_a_group_with_enough_history() -> None:
    history = [step(d, account="enterprise") for d in range(11, 52)]  # 41 steps: 11..51 days
    suggestion = realistic_turnaround(duration_table(history, k=0), SECURITY, "enterprise")
    assert suggestion is not None
    # 41 finished: S(t) = (51 - t)/41, first <= .2 where 51 - t <= 8.2 -> t = 43.
    assert (suggestion.days, suggestion.observations) == (43, 41)
    assert suggestion.text == "Security review: realistic 43 days — P80 of 41 enterprise deals"


def test_every_group_with_enough_history_has_its_realistic_turnaround() -> None:
    history = [step(d, account="enterprise") for d in range(11, 52)]
    history += [step(d, account="smb") for d in range(1, 8)]  # 7 steps: too few
    history += [step(d, account="smb", type=LEGAL) for d in range(10, 20)]  # P80: 17 days
    found = realistic_turnarounds(duration_table(history, k=0))
    assert sorted(found) == [(LEGAL, "smb"), (SECURITY, "enterprise")]
    assert found[(SECURITY, "enterprise")].basis == "P80 of 41 enterprise deals"
    assert found[(LEGAL, "smb")].text == "Legal redline: realistic 17 days — P80 of 10 smb deals"


def test_no_realistic_turnaround_is_suggested_below_the_minimum_of_observations() -> None:
    table = duration_table([step(d, account="smb") for d in range(1, 8)])  # 7 steps
    assert realistic_turnaround(table, SECURITY, "smb") is None
    assert realistic_turnaround(table, SECURITY, "smb", min_observations=7) is not None
    assert realistic_turnaround(table, SECURITY, "enterprise") is None
    assert realistic_turnaround(table, LEGAL, "smb") is None


def test_no_realistic_turnaround_is_suggested_when_the_p80_is_not_reached() -> None:
    table = duration_table([step(d, account="smb", open=True) for d in range(1, 20)], k=0)
    assert realistic_turnaround(table, SECURITY, "smb") is None


# --- Edge cases ------------------------------------------------------------------------------


def test_no_observations_give_an_empty_table_and_an_unknown_quantile() -> None:
    assert duration_table([]) == []
    empty = quantile(kaplan_meier([], []), 0.5)
    assert (empty.days, empty.at_least, empty.label) == (None, None, "no data")


def test_when_every_step_is_still_open_the_median_is_at_least_the_longest_wait() -> None:
    table = duration_table([step(d, open=True) for d in (3, 9, 14)])
    overall = row(table, SECURITY, None)
    assert (overall.finished, overall.open) == (0, 3)
    assert (overall.median.value, overall.median.at_least) == (None, 14)
    assert quantile(overall.curve, 0.5).label == "at least 14 days"
    assert overall.planned_vs_actual.value is None and overall.planned_vs_actual.rests_on == 0


def test_steps_that_all_took_the_same_time_have_that_median_and_p80() -> None:
    table = duration_table([step(12, planned=10) for _ in range(6)])
    overall = row(table, SECURITY, None)
    assert (overall.median.value, overall.p80.value) == (12, 12)
    assert quantile(overall.curve, 0.5).label == "12 days"
    assert overall.planned_vs_actual.value == 2


def test_zero_day_steps_count_as_finished_in_no_time() -> None:
    table = duration_table([step(0), step(0), step(0), step(4, open=True)])
    overall = row(table, SECURITY, None)
    # S(0) = 1/4 <= .5 -> median 0; P80 needs S <= .2, never reached: at least 4 days.
    assert (overall.median.value, overall.p80.value, overall.p80.at_least) == (0, None, 4)


def test_a_step_finished_after_as_of_is_still_open_on_that_date() -> None:
    started = AS_OF - dt.timedelta(10)
    observed = StepObservation(SECURITY, "smb", started, AS_OF + dt.timedelta(5), AS_OF)
    assert (observed.is_finished, observed.days) == (False, 10)


def test_impossible_observations_are_refused() -> None:
    with pytest.raises(ValueError, match="finish before it started"):
        StepObservation(SECURITY, "smb", AS_OF, AS_OF - dt.timedelta(1), AS_OF)
    with pytest.raises(ValueError, match="had not started"):
        StepObservation(SECURITY, "smb", AS_OF + dt.timedelta(1), None, AS_OF)
    with pytest.raises(ValueError, match="never negative"):
        StepObservation(SECURITY, "smb", AS_OF, None, AS_OF, slipped_days=-2)
    with pytest.raises(ValueError, match="same length"):
        kaplan_meier([1.0, 2.0], [True])
    with pytest.raises(ValueError, match="not negative"):
        kaplan_meier([-1.0], [True])
    with pytest.raises(ValueError, match="between 0 and 1"):
        quantile(kaplan_meier([1.0], [True]), 1.0)
    with pytest.raises(ValueError, match="between 0 and 1"):
        blend(kaplan_meier([1.0], [True]), kaplan_meier([1.0], [True]), 1.5)
    with pytest.raises(ValueError, match="k must not be negative"):
        duration_table([], k=-1)

"""What the forecast draws each step from: its own group's history, its step type's, or its
planned turnaround when there is no history, each saying what it rests on."""

from __future__ import annotations

import datetime as dt

from mutualplan.core.durations import StepColumns, StepObservation
from mutualplan.core.learned import PRIOR_FACTORS, Basis, learn, prior
from mutualplan.core.vocab import label

AS_OF = dt.date(2026, 6, 30)


def steps(count: int, days: int, account: str, *, open: bool = False) -> list[StepObservation]:
    start = AS_OF - dt.timedelta(days=days)
    finished = None if open else AS_OF
    return [
        StepObservation("security_review", account, start, finished, AS_OF) for _ in range(count)
    ]


def test_a_group_with_enough_history_draws_from_its_own_steps_open_ones_censored() -> None:
    history = steps(8, 20, "enterprise") + steps(4, 30, "enterprise", open=True)
    learned = learn(StepColumns.of(history + steps(10, 5, "smb")))
    durations, basis = learned.durations("security_review", "enterprise", 7)
    assert sorted(durations.days) == [20.0] * 8 + [30.0] * 4
    assert sum(durations.censored) == 4
    assert (basis.kind, basis.observations) == ("account_type", 12)
    assert basis.text == "12 security review steps of enterprise deals"


def test_a_small_group_draws_from_its_step_type_over_every_account_type() -> None:
    learned = learn(StepColumns.of(steps(3, 20, "enterprise") + steps(10, 5, "smb")))
    durations, basis = learned.durations("security_review", "enterprise", 7)
    assert len(durations.days) == 13
    assert (basis.kind, basis.observations, basis.account_type) == ("step_type", 13, None)
    assert basis.text == "13 security review steps of all deals"


def test_with_no_history_the_planned_turnaround_is_spread_as_overruns_spread() -> None:
    durations, basis = learn(StepColumns.of([])).durations("legal_redline", "smb", 8)
    assert durations.days == tuple(8 * f for f in PRIOR_FACTORS)
    assert basis.kind == "plan" and basis.observations == 0
    assert basis.text == "the planned turnaround (no history yet)"


def test_a_step_with_no_planned_turnaround_assumes_ten_days_and_priors_are_shared() -> None:
    assert prior(None).days == tuple(10 * f for f in PRIOR_FACTORS)
    assert prior(12) is prior(12)


def test_a_group_of_steps_all_still_open_is_not_drawn_from_however_many_there_are() -> None:
    # Twenty first steps opened today say only "at least 0 days": no history to draw from.
    durations, basis = learn(StepColumns.of(steps(20, 0, "smb", open=True))).durations(
        "security_review", "smb", 9
    )
    assert basis.kind == "plan" and durations.days == tuple(9 * f for f in PRIOR_FACTORS)


def test_open_steps_count_toward_a_sample_only_once_enough_have_finished() -> None:
    history = steps(7, 20, "smb") + steps(5, 40, "smb", open=True)
    assert learn(StepColumns.of(history)).durations("security_review", "smb", 9)[1].kind == "plan"
    more = learn(StepColumns.of(history + steps(1, 25, "smb")))
    durations, basis = more.durations("security_review", "smb", 9)
    assert (basis.kind, basis.observations) == ("account_type", 13)


def test_a_basis_names_its_step_type_as_pages_do_mid_sentence() -> None:
    basis = Basis("account_type", 48, "procurement_po", "enterprise")
    assert basis.text == "48 procurement PO steps of enterprise deals"
    assert label("procurement_po") == "Procurement PO"
    assert label("exec_signoff") == "Executive sign-off"
    assert label("security_review") == "Security review"

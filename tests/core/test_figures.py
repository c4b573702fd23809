"""The figures every page, answer and command derives the same way: days left, overdue,
confirmed."""

from __future__ import annotations

import datetime as dt

import pytest

from mutualplan.core.figures import Step, days_left, is_confirmed, is_overdue, standing

TODAY = dt.date(2026, 3, 2)


def test_days_left_count_down_to_the_target_and_go_negative_once_it_passed() -> None:
    assert days_left(dt.date(2026, 3, 12), TODAY) == 10
    assert days_left(TODAY, TODAY) == 0
    assert days_left(dt.date(2026, 2, 27), TODAY) == -3


def test_a_plan_without_a_target_has_no_days_left() -> None:
    assert days_left(None, TODAY) is None


@pytest.mark.parametrize("status", ["not_started", "in_progress", "blocked"])
def test_an_open_row_past_its_due_date_is_overdue(status: str) -> None:
    assert is_overdue(dt.date(2026, 3, 1), status, TODAY)


def test_a_done_row_an_undated_row_and_a_row_due_today_are_not_overdue() -> None:
    assert not is_overdue(dt.date(2026, 3, 1), "done", TODAY)
    assert not is_overdue(None, "in_progress", TODAY)
    assert not is_overdue(TODAY, "in_progress", TODAY)


def test_a_plan_is_confirmed_only_when_it_has_rows_and_every_one_is_confirmed() -> None:
    assert is_confirmed([True, True])
    assert not is_confirmed([True, False])
    assert not is_confirmed([])
    assert not is_confirmed(flag for flag in ())


def step(i: int, side: str, due: dt.date | None, status: str = "not_started") -> Step:
    return Step(i, i, f"Step {i}", side, "IT", "", due, status)


def test_a_plan_is_on_track_until_an_open_step_is_overdue_or_the_target_passes() -> None:
    today = dt.date(2026, 11, 27)
    later, earlier = today + dt.timedelta(days=5), today - dt.timedelta(days=1)
    fine = standing([step(1, "buyer", later), step(2, "seller", later, "done")], later, today)
    assert (fine.done, fine.total, fine.on_track, fine.days_left) == (1, 2, True, 5)
    late_step = standing([step(1, "buyer", earlier)], later, today)
    assert (late_step.overdue, late_step.on_track) == (1, False)
    passed = standing([step(1, "seller", None)], earlier, today)
    assert (passed.on_track, passed.target_passed) == (False, True)
    finished = standing([step(1, "buyer", earlier, "done")], earlier, today)
    assert finished.on_track and finished.percent == 100


def test_the_buyer_sides_open_steps_come_soonest_due_first_with_undated_ones_last() -> None:
    today = dt.date(2026, 11, 27)
    steps = [
        step(1, "buyer", None),
        step(2, "joint", today + dt.timedelta(days=9)),
        step(3, "seller", today + dt.timedelta(days=1)),
        step(4, "buyer", today + dt.timedelta(days=2)),
        step(5, "buyer", today, "done"),
    ]
    assert [s.id for s in standing(steps, None, today).buyer_steps] == [4, 2, 1]

"""The figures every page, answer and command derives the same way: days left, overdue,
confirmed."""

from __future__ import annotations

import datetime as dt

import pytest

from mutualplan.core.figures import days_left, is_confirmed, is_overdue

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

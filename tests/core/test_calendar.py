import datetime as dt

import pytest

from mutualplan.core.calendar import UnknownCountry, WorkCalendar

D = dt.date


def test_calendar_days_count_every_day() -> None:
    cal = WorkCalendar()
    assert cal.minus(D(2026, 12, 28), 3) == D(2026, 12, 25)
    assert cal.days_between(D(2026, 12, 25), D(2026, 12, 28)) == 3


def test_business_days_skip_weekends_and_the_countrys_public_holidays() -> None:
    us = WorkCalendar(business_days=True, country="US")
    # Monday 28 Dec 2026, one business day back: Friday 25th is Christmas, so Thursday 24th.
    assert us.minus(D(2026, 12, 28), 1) == D(2026, 12, 24)
    assert not us.is_working_day(D(2026, 12, 25))
    assert not us.is_working_day(D(2026, 12, 26))
    assert us.is_working_day(D(2026, 12, 24))


def test_holidays_differ_by_country() -> None:
    gb = WorkCalendar(business_days=True, country="GB")
    us = WorkCalendar(business_days=True, country="US")
    boxing_day_2025 = D(2025, 12, 26)  # a Friday
    assert not gb.is_working_day(boxing_day_2025)
    assert us.is_working_day(boxing_day_2025)


def test_a_target_on_a_holiday_rolls_back_to_the_last_working_day() -> None:
    us = WorkCalendar(business_days=True, country="US")
    assert us.minus(D(2026, 12, 25), 0) == D(2026, 12, 24)


def test_business_day_distance_is_the_inverse_of_subtraction() -> None:
    de = WorkCalendar(business_days=True, country="DE")
    target = D(2027, 4, 30)
    for n in range(0, 60, 7):
        assert de.days_between(de.minus(target, n), target) == n


def test_it_rejects_an_unknown_country() -> None:
    with pytest.raises(UnknownCountry):
        WorkCalendar(business_days=True, country="XX")

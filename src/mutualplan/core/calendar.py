"""Calendar arithmetic for working backwards: calendar days or business days.

Business days skip weekends and the public holidays of the plan's country (the `holidays`
package). Every function here counts *backwards* from a date, because plans are anchored to
their target date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import holidays as holidays_lib


class UnknownCountry(ValueError):
    """The country code has no public-holiday calendar."""


@lru_cache(maxsize=1)
def supported_countries() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes that have a public-holiday calendar."""
    return frozenset(holidays_lib.list_supported_countries())


@lru_cache(maxsize=256)
def _holidays_for(country: str, year: int) -> frozenset[dt.date]:
    return frozenset(holidays_lib.country_holidays(country, years=year).keys())


@dataclass(frozen=True)
class WorkCalendar:
    """How a plan counts days: calendar days, or business days of one country."""

    business_days: bool = False
    country: str = ""

    def __post_init__(self) -> None:
        if self.country and self.country not in supported_countries():
            raise UnknownCountry(f"no public-holiday calendar for country {self.country!r}")

    def is_working_day(self, day: dt.date) -> bool:
        if not self.business_days:
            return True
        if day.weekday() >= 5:
            return False
        return not self.country or day not in _holidays_for(self.country, day.year)

    def roll_back(self, day: dt.date) -> dt.date:
        """The day itself if it is a working day, else the last working day before it."""
        while not self.is_working_day(day):
            day -= dt.timedelta(days=1)
        return day

    def minus(self, day: dt.date, days: int) -> dt.date:
        """The working day `days` working days before `day` (rolled back first)."""
        if not self.business_days:
            return day - dt.timedelta(days=days)
        day = self.roll_back(day)
        step = -1 if days >= 0 else 1
        for _ in range(abs(days)):
            day += dt.timedelta(days=step)
            while not self.is_working_day(day):
                day += dt.timedelta(days=step)
        return day

    def days_between(self, earlier: dt.date, later: dt.date) -> int:
        """Working days from `earlier` to `later` (negative when `later` is before)."""
        if not self.business_days:
            return (later - earlier).days
        if later < earlier:
            return -self.days_between(later, earlier)
        count = 0
        day = self.roll_back(earlier)
        end = self.roll_back(later)
        while day < end:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count

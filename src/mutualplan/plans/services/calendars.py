"""The plan's calendar, and the checks on dates that every write shares."""

from __future__ import annotations

import datetime as dt

from mutualplan.core.calendar import UnknownCountry, WorkCalendar
from mutualplan.plans.errors import Invalid
from mutualplan.plans.models import Plan


def make_calendar(business_days: bool, country: str, field: str = "country") -> WorkCalendar:
    try:
        return WorkCalendar(business_days=business_days, country=country)
    except UnknownCountry:
        raise Invalid.field(
            field, f"unknown country {country!r}; use an ISO 3166 code such as US, GB, DE"
        ) from None


def plan_calendar(plan: Plan) -> WorkCalendar:
    return make_calendar(plan.business_days, plan.country)


def check_working_day(calendar: WorkCalendar, day: dt.date, field: str) -> None:
    """In a business-day plan, a due date never falls on a weekend or public holiday."""
    if not calendar.is_working_day(day):
        what = "a weekend" if day.weekday() >= 5 else f"a public holiday in {calendar.country}"
        raise Invalid.field(
            field, f"{day} is {what}; this plan counts business days, pick a working day"
        )

"""Markup details the HTML and accessibility checks (tests/browser) rely on, checked without
node_modules, Java or a browser."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client

from mutualplan.web.templatetags.mutualplan import iso

pytestmark = pytest.mark.django_db

# HTML's global date and time string allows at most three digits of a second's fraction; a
# date alone is valid too.
TO_THE_SECOND = re.compile(r"^\d{4}-\d\d-\d\d(T\d\d:\d\d:\d\d[+-]\d\d:\d\d)?$")


def test_a_moment_renders_to_the_second_with_its_utc_offset() -> None:
    moment = dt.datetime(2026, 11, 27, 15, 29, 47, 119661, tzinfo=dt.UTC)

    assert iso(moment) == "2026-11-27T15:29:47+00:00"
    assert iso(None) == ""


def test_the_plan_page_times_are_valid_datetime_values(owner: Any, plan: dict[str, Any]) -> None:
    client = Client()
    client.force_login(owner)

    html = client.get(f"/plans/{plan['id']}/").content.decode()

    values = re.findall(r'<time[^>]* datetime="([^"]*)"', html)
    assert any("T" in value for value in values), "the plan page shows no activity times"
    assert all(TO_THE_SECOND.match(value) for value in values), values

"""A backup's portable rows keep every time to the microsecond (Django's JSON cuts them to the
millisecond, so a restore into the other engine would not hold exactly what was backed up)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import serializers

from mutualplan.ops.exact_jsonl import FORMAT
from mutualplan.plans.models import Activity

pytestmark = pytest.mark.django_db


def test_a_time_below_a_millisecond_survives_the_backup_rows_exactly(plan: dict[str, Any]) -> None:
    moment = dt.datetime(2026, 11, 27, 16, 6, 27, 412, tzinfo=dt.UTC)
    activity = Activity.objects.filter(plan_id=plan["id"]).first()
    assert activity is not None
    activity.created_at = moment

    text = serializers.serialize(FORMAT, [activity])
    (back,) = serializers.deserialize("jsonl", text)

    assert '"created_at": "2026-11-27T16:06:27.000412Z"' in text
    assert back.object.created_at == moment
    assert serializers.serialize("jsonl", [activity]) != text  # Django's own would cut it

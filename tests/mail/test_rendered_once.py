"""One send to several people renders the plan's documents once: the PDF takes about a
second, and every recipient gets the same one. A plan that changed is rendered again."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from mutualplan.mail import plan_email
from mutualplan.plans.buyer_view import buyer_plan
from mutualplan.plans.models import Milestone, Plan

pytestmark = pytest.mark.django_db


def test_the_same_plan_state_is_rendered_once_and_a_changed_one_again(
    plan: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered: list[str] = []
    monkeypatch.setattr(plan_email, "plan_pdf", lambda view, today: rendered.append("pdf") or b"")
    today = dt.date(2026, 11, 27)
    model = Plan.objects.get(id=plan["id"])

    first = plan_email.plan_documents(buyer_plan(model), today)
    again = plan_email.plan_documents(buyer_plan(model), today)
    Milestone.objects.filter(plan=model).update(title="Renamed")
    changed = plan_email.plan_documents(buyer_plan(model), today)
    next_day = plan_email.plan_documents(buyer_plan(model), today + dt.timedelta(days=1))

    assert rendered == ["pdf", "pdf", "pdf"]
    assert first is again
    assert changed is not first and next_day is not changed

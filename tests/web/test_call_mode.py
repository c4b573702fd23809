"""Call mode: the seller's agenda page, editing a row from it, and logging the call, which
ends `not_reviewed`. Seller-only: another workspace gets a 404, the buyer sees nothing."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client

from mutualplan.plans.models import Activity, Call, Milestone, Plan
from mutualplan.workspaces.clock import today_for
from mutualplan.workspaces.models import Workspace
from tests.conftest import Api


@pytest.fixture
def seller(owner: Any) -> Client:
    client = Client()
    client.force_login(owner)
    return client


def section(page: str, key: str) -> str:
    found = re.search(rf'data-agenda-section="{key}".*?</section>', page, re.S)
    assert found, key
    return found.group(0)


def test_call_mode_lists_an_overdue_row_under_overdue_and_links_to_it(
    seller: Client, plan: dict[str, Any], workspace: Workspace
) -> None:
    row = plan["milestones"][0]
    today = today_for(workspace)
    Milestone.objects.filter(id=row["id"]).update(
        due_date=today - dt.timedelta(days=2), status="in_progress"
    )
    page = seller.get(f"/plans/{plan['id']}/call/").content.decode()
    overdue = section(page, "overdue")
    assert row["title"] in overdue and f"#row-{row['id']}" in overdue
    assert "2 days ago" in overdue
    assert row["title"] not in section(page, "due_soon")


def test_the_plan_page_has_a_start_call_link(seller: Client, plan: dict[str, Any]) -> None:
    page = seller.get(f"/plans/{plan['id']}/").content.decode()
    assert f'href="/plans/{plan["id"]}/call/"' in page and "Start call" in page


def test_call_mode_is_not_found_outside_the_sellers_workspace(
    outsider: Any, plan: dict[str, Any]
) -> None:
    client = Client()
    client.force_login(outsider)
    assert client.get(f"/plans/{plan['id']}/call/").status_code == 404
    assert client.post(f"/plans/{plan['id']}/call/log/", {"notes": "x"}).status_code == 404
    assert Call.objects.count() == 0


def test_logging_the_call_records_it_and_ends_not_reviewed(
    seller: Client, plan: dict[str, Any], workspace: Workspace
) -> None:
    today = today_for(workspace)
    Plan.objects.filter(id=plan["id"]).update(created_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    before = seller.get(f"/plans/{plan['id']}/").content.decode()
    assert 'data-health-code="not_reviewed"' in before
    answer = seller.post(
        f"/plans/{plan['id']}/call/log/",
        {
            "held_on": today.isoformat(),
            "attendees": "Dana (champion), Lee (security)",
            "notes": "Security review starts Monday.",
            "next_call_on": (today + dt.timedelta(days=7)).isoformat(),
        },
    )
    assert answer.status_code == 302 and answer["Location"] == f"/plans/{plan['id']}/#health"
    call = Call.objects.get(plan_id=plan["id"])
    assert call.attendees == "Dana (champion), Lee (security)"
    assert call.next_call_on == today + dt.timedelta(days=7)
    assert Activity.objects.filter(plan_id=plan["id"], verb="call_logged").exists()
    after = seller.get(f"/plans/{plan['id']}/").content.decode()
    assert 'data-health-code="not_reviewed"' not in after


def test_a_call_in_the_future_or_a_bad_date_is_refused_with_a_message_not_a_500(
    seller: Client, plan: dict[str, Any], workspace: Workspace
) -> None:
    tomorrow = today_for(workspace) + dt.timedelta(days=1)
    for held_on in (tomorrow.isoformat(), "not-a-date", "2026-02-31"):
        answer = seller.post(f"/plans/{plan['id']}/call/log/", {"held_on": held_on}, follow=True)
        assert answer.status_code == 200, held_on
        assert answer.redirect_chain[-1][0].startswith(f"/plans/{plan['id']}/call/")
        assert "held_on" in answer.content.decode(), held_on
    assert Call.objects.count() == 0


def test_a_row_saved_from_call_mode_returns_to_call_mode(
    seller: Client, plan: dict[str, Any], workspace: Workspace
) -> None:
    row = plan["milestones"][0]
    answer = seller.post(
        f"/plans/{plan['id']}/rows/{row['id']}/edit/",
        {"version": row["version"], "status": "done", "back": "call"},
    )
    assert answer.status_code == 302
    assert answer["Location"].startswith(f"/plans/{plan['id']}/call/")
    assert Milestone.objects.get(id=row["id"]).status == "done"
    page = seller.get(f"/plans/{plan['id']}/call/").content.decode()
    assert row["title"] in section(page, "done")


def test_the_api_gives_the_agenda_and_logs_a_call_that_ends_not_reviewed(
    owner_api: Api, plan: dict[str, Any]
) -> None:
    Plan.objects.filter(id=plan["id"]).update(created_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    agenda = owner_api.get(f"/plans/{plan['id']}/agenda").json_body
    assert [s["key"] for s in agenda["sections"]] == [
        "done",
        "overdue",
        "due_soon",
        "stale",
        "must_move",
        "unconfirmed",
        "findings",
    ]
    assert agenda["last_call_on"] is None
    health = owner_api.get(f"/plans/{plan['id']}/health").json_body["findings"]
    assert "not_reviewed" in {f["code"] for f in health}
    logged = owner_api.post(
        f"/plans/{plan['id']}/calls", {"attendees": "Priya Shah", "next_call_on": "2099-01-01"}
    )
    assert logged.status_code == 201 and logged.json_body["attendees"] == "Priya Shah"
    health = owner_api.get(f"/plans/{plan['id']}/health").json_body["findings"]
    assert "not_reviewed" not in {f["code"] for f in health}
    assert owner_api.get(f"/plans/{plan['id']}/agenda").json_body["last_call_on"] is not None
    refused = owner_api.post(f"/plans/{plan['id']}/calls", {"held_on": "2099-01-01"})
    assert refused.status_code == 400 and refused.json_body["errors"][0]["field"] == "held_on"

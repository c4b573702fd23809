"""One "today" in the workspace's time zone, and plan health on every seller output: the
plan page's panel, the dashboard's badges, counts and filter, the API, the command line and
the workspace settings page."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any
from unittest import mock

import pytest
from click.testing import CliRunner
from django.test import Client

from mutualplan.cli import main
from mutualplan.plans.models import Milestone, Plan
from mutualplan.workspaces.models import Membership, Workspace
from tests.conftest import Api, seller_plan

# 23:30 UTC on June 10 is 16:30 on June 10 in Los Angeles (PDT, UTC-7).
LATE_UTC = dt.datetime(2026, 6, 10, 23, 30, tzinfo=dt.UTC)
DUE = dt.date(2026, 6, 10)


@pytest.fixture
def seller(owner: Any) -> Client:
    client = Client()
    client.force_login(owner)
    return client


def frozen(moment: dt.datetime) -> Any:
    return mock.patch("django.utils.timezone.now", return_value=moment)


def _row_due(plan: dict[str, Any], due: dt.date) -> int:
    row_id: int = plan["milestones"][0]["id"]
    Milestone.objects.filter(id=row_id).update(due_date=due, status="not_started")
    return row_id


def _overdue_in_api(api: Api, plan_id: int, row_id: int) -> bool:
    rows = api.get(f"/plans/{plan_id}").json_body["milestones"]
    return bool(next(r["overdue"] for r in rows if r["id"] == row_id))


def _overdue_on_page(seller: Client, plan_id: int, row_id: int) -> bool:
    page = seller.get(f"/plans/{plan_id}/").content.decode()
    tag = re.search(rf'<tbody class="([^"]*)" id="row-{row_id}"', page)
    assert tag is not None
    return "is-overdue" in tag.group(1)


def test_a_step_due_today_in_los_angeles_is_not_overdue_at_2330_utc_but_is_the_next_la_day(
    seller: Client, owner_api: Api, owner: Any, workspace: Workspace
) -> None:
    Workspace.objects.filter(id=workspace.id).update(time_zone="America/Los_Angeles")
    plan = seller_plan(owner, target_date="2026-09-01")
    row_id = _row_due(plan, DUE)
    with frozen(LATE_UTC):
        assert _overdue_in_api(owner_api, plan["id"], row_id) is False
        assert _overdue_on_page(seller, plan["id"], row_id) is False
        health = owner_api.get(f"/plans/{plan['id']}/health").json_body["findings"]
        assert "overdue" not in [f["code"] for f in health]
    # 08:30 UTC on June 11 is 01:30 on June 11 in Los Angeles: the step is a day late.
    with frozen(dt.datetime(2026, 6, 11, 8, 30, tzinfo=dt.UTC)):
        assert _overdue_in_api(owner_api, plan["id"], row_id) is True
        assert _overdue_on_page(seller, plan["id"], row_id) is True
    # In a UTC workspace the same step was already late at 23:30 on the day after.
    Workspace.objects.filter(id=workspace.id).update(time_zone="UTC")
    with frozen(LATE_UTC + dt.timedelta(days=1)):
        assert _overdue_in_api(owner_api, plan["id"], row_id) is True


def test_the_api_the_command_line_and_the_plan_page_give_the_same_health(
    seller: Client, owner_api: Api, owner: Any
) -> None:
    plan = seller_plan(owner, target_offset=None)
    answer = owner_api.get(f"/plans/{plan['id']}/health")
    assert answer.status_code == 200
    findings = answer.json_body["findings"]
    codes = [f["code"] for f in findings]
    assert "no_target_date" in codes and "built_alone" in codes
    assert all(f["message"] and f["fix"] and f["severity"] for f in findings)
    listed = owner_api.get("/plans").json_body["items"]
    assert [p["health"] for p in listed if p["id"] == plan["id"]] == [codes]
    result = CliRunner().invoke(
        main, ["plan", "health", str(plan["id"]), "--json", "--user", owner.email]
    )
    assert result.exit_code == 0, result.output
    assert [f["code"] for f in json.loads(result.output)["findings"]] == codes
    table = CliRunner().invoke(main, ["plan", "health", str(plan["id"]), "--user", owner.email])
    assert "no_target_date" in table.output and "Agree the target date" in table.output
    page = seller.get(f"/plans/{plan['id']}/").content.decode()
    assert re.findall(r'data-health-code="([a-z_]+)"', page) == codes
    assert "Fix: Agree the target date" in page


def test_another_workspaces_plan_has_no_health_to_read(outsider_api: Api, owner: Any) -> None:
    plan = seller_plan(owner)
    answer = outsider_api.get(f"/plans/{plan['id']}/health")
    assert answer.status_code == 404
    assert "findings" not in answer.json_body


def test_the_dashboard_badges_counts_and_filters_plans_by_health_code(
    seller: Client, owner: Any
) -> None:
    dated = seller_plan(owner)
    undated = seller_plan(owner, target_offset=None, deal={**_deal("Undated Corp")})
    page = seller.get("/").content.decode()
    assert "No target date <strong>1</strong>" in page
    assert page.count('class="badge sev-high" title="The plan has no target date') == 1
    filtered = seller.get("/", {"health": "no_target_date"}).content.decode()
    assert "Undated Corp" in filtered and "Northwind Health" not in filtered
    assert 'aria-current="true"' in filtered
    # A code the page never offers is ignored, not an error.
    assert seller.get("/", {"health": "<script>"}).status_code == 200
    assert Plan.objects.filter(id__in=[dated["id"], undated["id"]]).count() == 2


def _deal(name: str) -> dict[str, Any]:
    return {
        "account_name": name,
        "account_type": "enterprise",
        "stage": "evaluation",
        "amount": 5000,
        "currency": "USD",
    }


def test_a_workspace_owner_sets_the_time_zone_and_thresholds_on_the_settings_page(
    seller: Client, owner: Any, workspace: Workspace
) -> None:
    Membership.objects.filter(user=owner).update(role=Membership.Role.OWNER)
    assert 'href="/settings/"' in seller.get("/").content.decode()
    values = {
        "time_zone": "America/Los_Angeles",
        "review_interval_days": "7",
        "stale_days": "10",
        "buyer_silent_days": "21",
        "quarter_end_window_days": "5",
        "fiscal_year_start_month": "2",
        "max_open_steps": "25",
    }
    response = seller.post("/settings/", values)
    assert response.status_code == 302
    workspace.refresh_from_db()
    assert workspace.time_zone == "America/Los_Angeles"
    assert (workspace.review_interval_days, workspace.fiscal_year_start_month) == (7, 2)
    assert "Settings saved." in seller.get("/settings/").content.decode()


def test_bad_settings_are_listed_by_field_and_nothing_is_saved(
    seller: Client, owner: Any, workspace: Workspace
) -> None:
    Membership.objects.filter(user=owner).update(role=Membership.Role.OWNER)
    response = seller.post(
        "/settings/",
        {
            "time_zone": "Mars/Olympus",
            "review_interval_days": "7",
            "stale_days": "-1",
            "buyer_silent_days": "²",
            "quarter_end_window_days": "5",
            "fiscal_year_start_month": "13",
            "max_open_steps": "25",
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "is not a time zone name" in text and "from 1 to 12" in text
    workspace.refresh_from_db()
    assert (workspace.time_zone, workspace.review_interval_days) == ("UTC", 14)


def test_a_member_who_is_not_an_owner_reads_the_settings_but_cannot_change_them(
    seller: Client, workspace: Workspace
) -> None:
    page = seller.get("/settings/").content.decode()
    assert "Only an owner of the workspace can change these settings" in page
    response = seller.post("/settings/", {"time_zone": "Asia/Tokyo"})
    assert response.status_code == 403
    workspace.refresh_from_db()
    assert workspace.time_zone == "UTC"


def _dashboard_queries(seller: Client) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert seller.get("/").status_code == 200
    return len(ctx.captured_queries)


def test_the_dashboard_with_health_costs_the_same_queries_for_5_and_500_plans(
    seller: Client, owner: Any
) -> None:
    from tests.conftest import make_plan

    for _ in range(5):
        make_plan(owner)
    _dashboard_queries(seller)  # the first view of the day computes the stored codes
    few = _dashboard_queries(seller)
    for _ in range(495):
        make_plan(owner)
    _dashboard_queries(seller)
    assert _dashboard_queries(seller) == few
    assert seller.get("/").content.decode().count("Built alone <strong>500</strong>") == 1


def test_a_change_to_a_plan_or_to_the_thresholds_updates_the_dashboards_counts(
    seller: Client, owner_api: Api, owner: Any, workspace: Workspace
) -> None:
    plan = seller_plan(owner, target_offset=None)
    assert "No target date <strong>1</strong>" in seller.get("/").content.decode()
    moved = owner_api.post(
        f"/plans/{plan['id']}/retarget", {"target_date": "2027-06-30", "version": plan["version"]}
    )
    assert moved.status_code == 200, moved.json_body
    assert "No target date <strong>" not in seller.get("/").content.decode()
    assert "Too many steps" not in seller.get("/").content.decode()
    Membership.objects.filter(user=owner).update(role=Membership.Role.OWNER)
    values = {
        "time_zone": "UTC",
        "review_interval_days": "14",
        "stale_days": "14",
        "buyer_silent_days": "14",
        "quarter_end_window_days": "7",
        "fiscal_year_start_month": "1",
        "max_open_steps": "3",
    }
    assert seller.post("/settings/", values).status_code == 302
    assert "Too many steps <strong>1</strong>" in seller.get("/").content.decode()


def test_a_buyer_opening_the_plan_ends_buyer_silent_on_the_dashboard_at_once(
    seller: Client, owner: Any, share_token: str, plan: dict[str, Any]
) -> None:
    from tests.conftest import BUYER

    weeks_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=20)
    Plan.objects.filter(id=plan["id"]).update(created_at=weeks_ago, last_buyer_activity_at=None)
    assert "Buyer silent <strong>1</strong>" in seller.get("/").content.decode()

    buyer = Client()
    buyer.post(f"/s/{share_token}/", {"name": BUYER["name"], "email": BUYER["email"]})
    assert buyer.get(f"/s/{share_token}/").status_code == 200

    assert "Buyer silent <strong>" not in seller.get("/").content.decode()
    health = Client()
    health.force_login(owner)
    page = health.get(f"/plans/{plan['id']}/").content.decode()
    assert "buyer_silent" not in page and "No one from the buyer side" not in page


def test_won_and_lost_plans_keep_their_empty_codes_and_are_not_reread_each_day(
    owner: Any, workspace: Workspace
) -> None:
    from mutualplan.plans.health import refresh_health

    open_plan = seller_plan(owner, target_offset=None)  # no target: a finding every day
    won = seller_plan(owner, target_offset=None)
    Plan.objects.filter(id=won["id"]).update(status="won", health_codes=" no_target_date ")
    day_one = dt.date.today()
    refresh_health(workspace, Plan.objects.filter(workspace=workspace), day_one)
    stored = {p.id: p for p in Plan.objects.all()}
    assert stored[won["id"]].health_codes == "" and stored[won["id"]].health_on == day_one
    assert "no_target_date" in stored[open_plan["id"]].health_codes

    day_two = day_one + dt.timedelta(days=1)
    refresh_health(workspace, Plan.objects.filter(workspace=workspace), day_two)
    stored = {p.id: p for p in Plan.objects.all()}
    assert stored[open_plan["id"]].health_on == day_two
    assert stored[won["id"]].health_on == day_one  # current: not read again

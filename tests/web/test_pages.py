"""The web pages, as a seller and as a buyer see them (Django test client, no browser)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from mutualplan.plans.models import Milestone, Plan, ShareLink
from tests.conftest import NEW_PLAN, Api, day, seller_plan


@pytest.fixture
def seller(owner: Any) -> Client:
    client = Client()
    client.force_login(owner)
    return client


@pytest.fixture
def outsider_client(outsider: Any) -> Client:
    client = Client()
    client.force_login(outsider)
    return client


def as_json(client: Client, url: str, data: dict[str, Any]) -> Any:
    response = client.post(url, data, headers={"Accept": "application/json"})
    response.body = json.loads(response.content)
    return response


def test_pages_need_a_signed_in_seller(client: Client, plan: dict[str, Any]) -> None:
    for url in ("/", f"/plans/{plan['id']}/", "/plans/new/", "/settings/tokens/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_dashboard_lists_the_workspaces_plans_with_progress(
    seller: Client, owner: Any, plan: dict[str, Any]
) -> None:
    seller_plan(
        owner,
        deal={"account_name": "Contoso <b>Logistics</b>", "account_type": "smb", "stage": "demo"},
    )
    page = seller.get("/").content.decode()
    assert "Northwind Health" in page and "0/8" in page
    assert "Contoso &lt;b&gt;Logistics&lt;/b&gt;" in page
    filtered = seller.get("/?account_type=smb").content.decode()
    assert "Contoso" in filtered and "Northwind" not in filtered
    searched = seller.get("/?q=north").content.decode()
    assert "Northwind" in searched and "Contoso" not in searched


def test_an_outsider_sees_none_of_another_workspaces_plans(
    outsider_client: Client, plan: dict[str, Any]
) -> None:
    assert "Northwind" not in outsider_client.get("/").content.decode()
    assert outsider_client.get(f"/plans/{plan['id']}/").status_code == 404
    response = as_json(outsider_client, f"/plans/{plan['id']}/rows/add/", {"title": "x"})
    assert response.status_code == 404
    assert Milestone.objects.filter(plan_id=plan["id"]).count() == 8


def test_the_dashboard_costs_the_same_queries_for_a_few_and_many_plans(
    seller: Client, owner: Any
) -> None:
    for _ in range(3):
        seller_plan(owner)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert seller.get("/").status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for _ in range(22):
        seller_plan(owner)
    assert count() == few
    # Each plan's top next best action (its forecast's) is among what that costs.
    assert seller.get("/").content.decode().count('<td class="c-action">') == 25


@pytest.mark.parametrize("chosen", ["²", "99999999999999999999", "-1", "12a"])
def test_a_dashboard_owner_filter_that_names_no_member_is_ignored(
    seller: Client, plan: dict[str, Any], chosen: str
) -> None:
    response = seller.get("/", {"owner": chosen})
    assert response.status_code == 200
    assert plan["deal"]["account_name"] in response.content.decode()


def test_the_dashboard_the_api_and_the_command_line_tell_the_same_days_left(
    seller: Client, owner_api: Api, owner: Any
) -> None:
    from click.testing import CliRunner

    from mutualplan.cli import main

    passed = seller_plan(owner, target_offset=-3)
    listed = owner_api.get("/plans").json_body["items"]
    assert [p["days_left"] for p in listed if p["id"] == passed["id"]] == [-3]
    page = seller.get("/").content.decode()
    assert "passed 3 d ago" in page
    result = CliRunner().invoke(main, ["plan", "list", "--json", "--user", owner.email])
    assert result.exit_code == 0, result.output
    assert [p["days_left"] for p in json.loads(result.output) if p["id"] == passed["id"]] == [-3]


def test_the_plan_page_shows_the_articles_columns_and_private_notes(
    seller: Client, owner_api: Api, plan: dict[str, Any]
) -> None:
    first = plan["milestones"][0]
    owner_api.patch(
        f"/plans/{plan['id']}/milestones/{first['id']}",
        {"version": 1, "private_notes": "CFO is sceptical"},
    )
    page = seller.get(f"/plans/{plan['id']}/").content.decode()
    for column in ("Milestone", "Owner", "Due date", "Status", "Notes"):
        assert f">{column}</th>" in page
    assert "Legal redline MSA" in page and "CFO is sceptical" in page
    assert "Portal live before open enrolment" in page
    assert "<svg" in page and "Share with the buyer" in page


def test_a_cell_edit_answers_with_the_new_row_and_version(
    seller: Client, plan: dict[str, Any]
) -> None:
    row = plan["milestones"][1]
    response = as_json(
        seller,
        f"/plans/{plan['id']}/rows/{row['id']}/edit/",
        {"version": "1", "status": "in_progress"},
    )
    assert response.status_code == 200, response.body
    assert response.body["version"] == 2 and 'id="row-' in response.body["html"]
    assert Milestone.objects.get(id=row["id"]).status == "in_progress"


def test_a_stale_cell_edit_is_refused_with_the_other_value(
    seller: Client, owner_api: Api, plan: dict[str, Any]
) -> None:
    row = plan["milestones"][0]
    owner_api.patch(
        f"/plans/{plan['id']}/milestones/{row['id']}", {"version": 1, "notes": "Theirs"}
    )
    response = as_json(
        seller, f"/plans/{plan['id']}/rows/{row['id']}/edit/", {"version": "1", "notes": "Mine"}
    )
    assert response.status_code == 409
    assert response.body["current"]["notes"] == "Theirs"
    assert Milestone.objects.get(id=row["id"]).notes == "Theirs"


def test_a_stale_retarget_from_the_plan_page_answers_with_the_plan_that_won(
    seller: Client, owner_api: Api, plan: dict[str, Any]
) -> None:
    theirs = owner_api.post(
        f"/plans/{plan['id']}/retarget",
        {"target_date": day(100), "version": 1},
    )
    assert theirs.status_code == 200, theirs.json_body
    response = as_json(
        seller,
        f"/plans/{plan['id']}/retarget/",
        {"target_date": day(120), "version": "1"},
    )
    assert response.status_code == 409, response.body
    current = response.body["current"]
    # The whole plan, as the row conflict carries the whole row: the page can show it.
    assert current["version"] == 2 and current["target_date"] == day(100)
    assert current["deal"]["account_name"] == plan["deal"]["account_name"]
    assert [m["id"] for m in current["milestones"]] == [m["id"] for m in plan["milestones"]]
    assert Plan.objects.get(id=plan["id"]).target_date.isoformat() == day(100)


def test_after_confirmation_a_date_move_asks_for_a_reason(
    seller: Client, owner_api: Api, plan: dict[str, Any], share_token: str
) -> None:
    owner_api.post(
        f"/shared/{share_token}/confirm",
        {"actor": {"name": "Priya", "email": "priya@buyer.example"}},
    )
    row = plan["milestones"][0]
    url = f"/plans/{plan['id']}/rows/{row['id']}/edit/"
    refused = as_json(seller, url, {"version": "1", "due_date": day(50)})
    assert refused.status_code == 400
    assert refused.body["errors"][0]["field"] == "reason_category"
    moved = as_json(
        seller,
        url,
        {"version": "1", "due_date": day(50), "reason_category": "competing_priorities"},
    )
    assert moved.status_code == 200


def test_a_plain_form_post_redirects_back_with_a_message(
    seller: Client, plan: dict[str, Any]
) -> None:
    response = seller.post(
        f"/plans/{plan['id']}/rows/add/",
        {"title": "Pilot with two teams", "owner_side": "joint"},
        follow=True,
    )
    assert "Added &#x27;Pilot with two teams&#x27;." in response.content.decode()
    assert Milestone.objects.filter(plan_id=plan["id"], title="Pilot with two teams").exists()


def test_new_plan_previews_the_dates_without_saving(seller: Client) -> None:
    form = {
        "account_name": "Fabrikam",
        "account_type": "smb",
        "stage": "demo",
        "target_date": "2027-03-31",
        "template": "standard",
        "currency": "USD",
    }
    preview = seller.post("/plans/new/", {**form, "action": "preview"}).content.decode()
    assert "Mon, Mar 1, 2027" not in preview  # not a due date of the standard template
    assert "Wed, Mar 24, 2027" in preview  # contract execution, 7 days before
    assert Plan.objects.count() == 0
    created = seller.post("/plans/new/", {**form, "action": "create"})
    plan = Plan.objects.get()
    assert created["Location"] == f"/plans/{plan.id}/"


def test_new_plan_with_bad_input_lists_the_errors(seller: Client) -> None:
    page = seller.post(
        "/plans/new/",
        {
            "account_name": "",
            "account_type": "smb",
            "stage": "demo",
            "target_date": "2027-02-30",
            "action": "create",
        },
    ).content.decode()
    assert "deal.account_name" in page and "target_date" in page
    assert Plan.objects.count() == 0


def test_creating_and_revoking_a_share_link_from_the_plan_page(
    seller: Client, plan: dict[str, Any]
) -> None:
    page = seller.post(
        f"/plans/{plan['id']}/share-links/", {"label": "Priya"}, follow=True
    ).content.decode()
    assert "shown once" in page and "/s/" in page
    link = ShareLink.objects.get()
    seller.post(f"/share-links/{link.id}/revoke/")
    link.refresh_from_db()
    assert link.revoked_at is not None


def test_the_tokens_page_creates_a_token_shown_once(seller: Client) -> None:
    page = seller.post("/settings/tokens/", {"name": "CRM sync"}).content.decode()
    assert 'id="new-token" value="mp_' in page
    assert "mp_" not in seller.get("/settings/tokens/").content.decode().split("<code>")[0]


def test_sending_a_plan_the_buyer_never_touched_warns_first(
    seller: Client, plan: dict[str, Any], share_token: str
) -> None:
    from mutualplan.plans.models import PlanVersion

    warned = seller.post(f"/plans/{plan['id']}/send/", {"note": "v1"}, follow=True)
    assert "your schedule, not a shared one" in warned.content.decode()
    assert PlanVersion.objects.count() == 0
    seller.post(f"/plans/{plan['id']}/send/", {"note": "v1", "send_anyway": "1"})
    assert PlanVersion.objects.get().note == "v1"
    buyer = Client()
    buyer.post(f"/s/{share_token}/", {"name": "Priya", "email": "priya@buyer.example"})
    buyer.post(f"/s/{share_token}/rows/add/", {"title": "Budget approval"})
    seller.post(f"/plans/{plan['id']}/send/", {"note": "v2"})
    assert PlanVersion.objects.count() == 2


def test_the_plan_page_costs_the_same_queries_for_8_and_40_rows(
    seller: Client, owner_api: Api, plan: dict[str, Any]
) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert seller.get(f"/plans/{plan['id']}/").status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(32):
        row = owner_api.post(
            f"/plans/{plan['id']}/milestones", {"title": f"Step {i}", "owner_side": "buyer"}
        ).json_body
        seller.post(f"/plans/{plan['id']}/rows/{row['id']}/comment/", {"body": "ok"})
    assert count() == few


def test_the_dashboard_lists_open_plans_before_won_and_lost_ones_when_sorted_by_date(
    seller: Client, owner: Any
) -> None:
    won = seller_plan(
        owner, target_offset=5, deal={**NEW_PLAN["deal"], "account_name": "Won Early"}
    )
    seller_plan(owner, target_offset=50, deal={**NEW_PLAN["deal"], "account_name": "Open Later"})
    Plan.objects.filter(id=won["id"]).update(status="won")
    page = seller.get("/").content.decode()
    assert page.index("Open Later") < page.index("Won Early")
    newest_first = seller.get("/?sort=-target").content.decode()
    assert newest_first.index("Open Later") < newest_first.index("Won Early")

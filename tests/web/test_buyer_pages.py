"""The buyer's share view: no account, one plan, nothing private."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from mutualplan.plans.models import Activity, Comment, Milestone
from tests.conftest import Api


def identified(token: str) -> Client:
    client = Client()
    client.post(f"/s/{token}/", {"name": "Priya Champion", "email": "priya@buyer.example"})
    return client


def test_a_first_visit_asks_the_buyer_for_name_and_email(
    plan: dict[str, Any], share_token: str
) -> None:
    client = Client()
    page = client.get(f"/s/{share_token}/").content.decode()
    assert "Your name" in page and "Legal redline" not in page
    bad = client.post(f"/s/{share_token}/", {"name": "", "email": "nope"})
    assert bad.status_code == 400 and "valid email" in bad.content.decode()
    ok = client.post(f"/s/{share_token}/", {"name": "Priya", "email": "priya@buyer.example"})
    assert ok.status_code == 302
    assert "Legal redline MSA" in client.get(f"/s/{share_token}/").content.decode()


def test_the_buyer_page_never_shows_private_notes(
    owner_api: Api, plan: dict[str, Any], share_token: str
) -> None:
    row = plan["milestones"][0]
    owner_api.patch(
        f"/plans/{plan['id']}/milestones/{row['id']}",
        {"version": 1, "private_notes": "Champion is leaving in June"},
    )
    page = identified(share_token).get(f"/s/{share_token}/").content.decode()
    assert "Champion is leaving" not in page
    assert "private_notes" not in page and "Private notes" not in page
    fragment = identified(share_token).get(f"/s/{share_token}/rows/{row['id']}/")
    assert "Champion is leaving" not in fragment.content.decode()


def test_a_buyer_adds_a_row_attributed_to_them(plan: dict[str, Any], share_token: str) -> None:
    client = identified(share_token)
    response = client.post(
        f"/s/{share_token}/rows/add/",
        {"title": "Internal budget approval", "owner_team": "Finance"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 201
    assert "Added by buyer · Priya Champion" in json.loads(response.content)["html"]
    row = Milestone.objects.get(title="Internal budget approval")
    assert (row.added_by_side, row.owner_side, row.owner_team) == ("buyer", "buyer", "Finance")


def test_a_buyer_comments_on_a_seller_row_but_cannot_edit_it(
    plan: dict[str, Any], share_token: str
) -> None:
    client = identified(share_token)
    seller_row = plan["milestones"][2]
    edit = client.post(
        f"/s/{share_token}/rows/{seller_row['id']}/edit/",
        {"version": "1", "status": "done"},
        headers={"Accept": "application/json"},
    )
    assert edit.status_code == 403
    comment = client.post(
        f"/s/{share_token}/rows/{seller_row['id']}/comment/",
        {"body": "Can we get this by Friday?"},
        headers={"Accept": "application/json"},
    )
    assert comment.status_code == 201
    assert Comment.objects.get().actor_name == "Priya Champion"
    assert Milestone.objects.get(id=seller_row["id"]).status == "not_started"


def test_a_buyer_write_without_a_name_is_refused(plan: dict[str, Any], share_token: str) -> None:
    response = Client().post(
        f"/s/{share_token}/rows/add/", {"title": "x"}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 403
    assert Milestone.objects.filter(plan_id=plan["id"]).count() == 8


def test_the_buyer_confirms_dates_and_owners(plan: dict[str, Any], share_token: str) -> None:
    client = identified(share_token)
    page = client.post(f"/s/{share_token}/confirm/", follow=True).content.decode()
    assert "Confirmed" in page
    assert Activity.objects.filter(verb="plan_confirmed", actor_name="Priya Champion").exists()


def test_a_revoked_link_shows_a_plain_page_and_refuses_writes(
    owner_api: Api, plan: dict[str, Any], share_token: str
) -> None:
    client = identified(share_token)
    link_id = owner_api.get(f"/plans/{plan['id']}/share-links").json_body[0]["id"]
    owner_api.delete(f"/share-links/{link_id}")
    page = client.get(f"/s/{share_token}/")
    assert page.status_code == 410
    assert "This link no longer works" in page.content.decode()
    assert "Northwind" not in page.content.decode()
    write = client.post(
        f"/s/{share_token}/rows/add/", {"title": "x"}, headers={"Accept": "application/json"}
    )
    assert write.status_code == 410
    assert Milestone.objects.filter(plan_id=plan["id"]).count() == 8


def test_an_unknown_link_shows_the_same_plain_page(db: Any) -> None:
    page = Client().get("/s/not-a-token/")
    assert page.status_code == 404 and "This link no longer works" in page.content.decode()

"""The buyer side: a share link reaches exactly one plan's buyer view, and nothing else."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from mutualplan.plans.models import Activity, BuyerVisitor, Milestone, ShareLink
from tests.conftest import BUYER, Api, day, new_plan


def test_a_share_link_is_created_with_a_token_and_a_url_and_only_its_hash_is_kept(
    owner_api: Api, plan: dict[str, Any]
) -> None:
    response = owner_api.post(f"/plans/{plan['id']}/share-links", {"label": "Priya"})
    assert response.status_code == 201
    body = response.json_body
    assert len(body["token"]) >= 40 and body["url"].endswith(f"/s/{body['token']}/")
    stored = ShareLink.objects.get(id=body["id"])
    assert body["token"] not in (stored.token_hash, stored.prefix)
    listed = owner_api.get(f"/plans/{plan['id']}/share-links").json_body
    assert [link["label"] for link in listed] == ["Priya"] and "token" not in listed[0]


def test_the_buyer_view_is_the_plan_without_private_notes(
    owner_api: Api, anonymous_api: Api, plan: dict[str, Any], share_token: str
) -> None:
    first = plan["milestones"][0]
    owner_api.patch(
        f"/plans/{plan['id']}/milestones/{first['id']}",
        {"version": 1, "private_notes": "Champion is leaving in June"},
    )
    response = anonymous_api.get(f"/shared/{share_token}")
    assert response.status_code == 200
    assert response.json_body["id"] == plan["id"]
    assert len(response.json_body["milestones"]) == 8
    assert b"private_notes" not in response.content
    assert b"Champion is leaving" not in response.content


def test_a_buyer_adds_a_row_marked_as_buyer_contributed(
    anonymous_api: Api, plan: dict[str, Any], share_token: str
) -> None:
    response = anonymous_api.post(
        f"/shared/{share_token}/milestones",
        {
            "actor": BUYER,
            "title": "Internal budget approval",
            "owner_team": "Finance",
            "due_date": day(60),
        },
    )
    assert response.status_code == 201, response.json_body
    added = response.json_body
    assert added["owner_side"] == "buyer" and added["added_by_side"] == "buyer"
    assert added["added_by_name"] == "Priya Champion" and "private_notes" not in added
    activity = Activity.objects.get(milestone_id=added["id"], verb="milestone_added")
    assert (activity.actor_kind, activity.actor_email) == ("buyer", "priya@buyer.example")
    visitor = BuyerVisitor.objects.get()
    assert visitor.name == "Priya Champion" and visitor.writes == 1


def test_a_buyer_updates_a_buyer_row_but_not_a_seller_row(
    anonymous_api: Api, plan: dict[str, Any], share_token: str
) -> None:
    review = plan["milestones"][1]  # buyer (IT)
    response = anonymous_api.patch(
        f"/shared/{share_token}/milestones/{review['id']}",
        {"actor": BUYER, "version": 1, "status": "in_progress", "notes": "Sent to InfoSec"},
    )
    assert response.status_code == 200, response.json_body
    assert Milestone.objects.get(id=review["id"]).status_updated_by == "Priya Champion"
    seller_row = plan["milestones"][2]  # seller (Solutions)
    refused = anonymous_api.patch(
        f"/shared/{share_token}/milestones/{seller_row['id']}",
        {"actor": BUYER, "version": 1, "status": "done"},
    )
    assert refused.status_code == 403
    assert Milestone.objects.get(id=seller_row["id"]).status == "not_started"


def test_the_buyer_cannot_touch_seller_only_fields(
    anonymous_api: Api, plan: dict[str, Any], share_token: str
) -> None:
    review = plan["milestones"][1]
    response = anonymous_api.patch(
        f"/shared/{share_token}/milestones/{review['id']}",
        {"actor": BUYER, "version": 1, "private_notes": "x"},
    )
    assert response.status_code == 400
    assert response.json_body["errors"][0]["field"] == "private_notes"


def test_every_buyer_write_needs_a_name_and_an_email(
    anonymous_api: Api, plan: dict[str, Any], share_token: str
) -> None:
    no_actor = anonymous_api.post(f"/shared/{share_token}/milestones", {"title": "x"})
    bad_email = anonymous_api.post(
        f"/shared/{share_token}/milestones",
        {"actor": {"name": "Priya", "email": "not-an-email"}, "title": "x"},
    )
    assert no_actor.status_code == bad_email.status_code == 400
    assert no_actor.json_body["errors"][0]["field"] == "actor"
    assert bad_email.json_body["errors"][0]["field"] == "actor.email"
    assert Milestone.objects.filter(plan_id=plan["id"]).count() == 8


def test_the_champion_confirms_the_whole_plan_or_single_rows(
    owner_api: Api, anonymous_api: Api, plan: dict[str, Any], share_token: str
) -> None:
    one = plan["milestones"][3]["id"]
    response = anonymous_api.post(
        f"/shared/{share_token}/confirm", {"actor": BUYER, "milestone_ids": [one]}
    )
    assert response.status_code == 200 and response.json_body["milestone_ids"] == [one]
    seen = owner_api.get(f"/plans/{plan['id']}").json_body
    assert [m["confirmed"] for m in seen["milestones"]].count(True) == 1
    assert seen["confirmed"] is False
    anonymous_api.post(f"/shared/{share_token}/confirm", {"actor": BUYER})
    assert owner_api.get(f"/plans/{plan['id']}").json_body["confirmed"] is True


def test_a_share_token_reaches_no_other_plan_and_no_seller_endpoint(
    owner_api: Api, plan: dict[str, Any], share_token: str
) -> None:
    other = new_plan(owner_api)
    other_row = other["milestones"][1]
    buyer = Api(owner_api.client.__class__())
    as_bearer = Api(owner_api.client.__class__(), token=share_token)
    attempts = [
        buyer.patch(
            f"/shared/{share_token}/milestones/{other_row['id']}",
            {"actor": BUYER, "version": 1, "status": "done"},
        ),
        as_bearer.get(f"/plans/{other['id']}"),
        as_bearer.get(f"/plans/{plan['id']}"),
        as_bearer.get("/plans"),
        as_bearer.get(f"/plans/{plan['id']}/slips"),
        buyer.get(f"/plans/{plan['id']}"),
    ]
    assert [r.status_code for r in attempts] == [404, 401, 401, 401, 401, 401]
    assert Milestone.objects.get(id=other_row["id"]).status == "not_started"


def test_a_revoked_link_gets_nothing_at_once(
    owner_api: Api, anonymous_api: Api, plan: dict[str, Any], share_token: str
) -> None:
    link_id = owner_api.get(f"/plans/{plan['id']}/share-links").json_body[0]["id"]
    assert owner_api.delete(f"/share-links/{link_id}").status_code == 204
    review = plan["milestones"][1]
    attempts = [
        anonymous_api.get(f"/shared/{share_token}"),
        anonymous_api.post(f"/shared/{share_token}/milestones", {"actor": BUYER, "title": "x"}),
        anonymous_api.patch(
            f"/shared/{share_token}/milestones/{review['id']}",
            {"actor": BUYER, "version": 1, "status": "done"},
        ),
        anonymous_api.post(f"/shared/{share_token}/confirm", {"actor": BUYER}),
    ]
    assert [r.status_code for r in attempts] == [410] * 4
    assert all("no longer works" in r.json_body["detail"] for r in attempts)
    assert all(b"Northwind" not in r.content for r in attempts)
    assert Milestone.objects.filter(plan_id=plan["id"]).count() == 8


def test_an_expired_link_gets_nothing(
    owner_api: Api, anonymous_api: Api, plan: dict[str, Any]
) -> None:
    soon = (timezone.now() + dt.timedelta(hours=1)).isoformat()
    token = owner_api.post(f"/plans/{plan['id']}/share-links", {"expires_at": soon}).json_body[
        "token"
    ]
    assert anonymous_api.get(f"/shared/{token}").status_code == 200
    ShareLink.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert anonymous_api.get(f"/shared/{token}").status_code == 410


def test_an_unknown_token_is_not_found(anonymous_api: Api, plan: dict[str, Any]) -> None:
    response = anonymous_api.get("/shared/not-a-real-token")
    assert response.status_code == 404
    assert response.json_body == {"detail": "this link does not exist", "errors": []}


def test_an_outsider_cannot_revoke_another_workspaces_link(
    outsider_api: Api, owner_api: Api, plan: dict[str, Any], share_token: str
) -> None:
    link_id = owner_api.get(f"/plans/{plan['id']}/share-links").json_body[0]["id"]
    assert outsider_api.delete(f"/share-links/{link_id}").status_code == 404
    assert ShareLink.objects.get(id=link_id).revoked_at is None

"""Versions sent to the buyer through the API: the list, and what changed between two."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.conftest import BUYER, Api


def send(api: Api, plan: dict[str, Any], note: str = "") -> Any:
    response = api.post(f"/plans/{plan['id']}/versions", {"note": note})
    assert response.status_code == 201, response.json_body
    return response.json_body


def test_the_versions_list_says_who_sent_each_when_and_with_which_note(
    owner_api: Api, plan: dict[str, Any]
) -> None:
    send(owner_api, plan, "first clean version")
    send(owner_api, plan, "after the security call")
    listed = owner_api.get(f"/plans/{plan['id']}/versions")
    assert listed.status_code == 200
    assert [(v["number"], v["sent_by"], v["note"]) for v in listed.json_body] == [
        (1, "Olivia Owner", "first clean version"),
        (2, "Olivia Owner", "after the security call"),
    ]
    assert all(v["sent_at"] for v in listed.json_body)


def test_retarget_a_buyer_row_added_and_a_row_re_owned_are_exactly_what_the_diff_lists(
    owner_api: Api, anonymous_api: Api, plan: dict[str, Any], share_token: str
) -> None:
    send(owner_api, plan, "first")
    target = dt.date.fromisoformat(plan["target_date"])
    moved = owner_api.post(
        f"/plans/{plan['id']}/retarget",
        {
            "target_date": (target + dt.timedelta(days=7)).isoformat(),
            "version": plan["version"],
            "reason_category": "legal_or_security_delay",
        },
    ).json_body
    added = anonymous_api.post(
        f"/shared/{share_token}/milestones",
        {"actor": BUYER, "title": "Internal IT review", "owner_team": "IT"},
    )
    assert added.status_code == 201, added.json_body
    row = next(m for m in moved["milestones"] if m["owner_side"] == "seller")
    reowned = owner_api.patch(
        f"/plans/{plan['id']}/milestones/{row['id']}",
        {"version": row["version"], "owner_side": "buyer", "owner_team": "Legal"},
    )
    assert reowned.status_code == 200, reowned.json_body
    send(owner_api, plan, "second")
    was = " · ".join(
        p for p in ("Seller", row["owner_team"], (row["owner_person"] or {}).get("name", "")) if p
    )

    response = owner_api.get(f"/plans/{plan['id']}/versions/1/diff/2")
    assert response.status_code == 200, response.json_body
    body = response.json_body
    assert (body["from_version"]["number"], body["to_version"]["number"]) == (1, 2)
    changes = body["changes"]
    # The retarget moved the target and, with it, every row anchored to it (all of this plan's).
    redated = {c["milestone_id"]: c["days"] for c in changes if c["kind"] == "redated"}
    assert redated == {m["id"]: 7 for m in plan["milestones"]}
    others = [
        (c["kind"], c["milestone_id"], c["days"], c["before"], c["after"])
        for c in changes
        if c["kind"] != "redated"
    ]
    assert others == [
        ("target_moved", None, 7, "", ""),
        ("reowned", row["id"], None, was, "Buyer · Legal"),
        ("added", added.json_body["id"], None, "", "Buyer · IT"),
    ]
    words = [c["summary"] for c in changes]
    assert words[0].startswith("Target date moved 7 days later, ")
    assert f"{row['title']} now owned by Buyer · Legal (was {was})" in words
    assert any(
        w.startswith("Internal IT review added by Priya Champion on the buyer side (Buyer · IT")
        for w in words
    )


def test_a_version_number_the_plan_does_not_have_is_not_found(
    owner_api: Api, outsider_api: Api, plan: dict[str, Any]
) -> None:
    send(owner_api, plan)
    assert owner_api.get(f"/plans/{plan['id']}/versions/1/diff/1").status_code == 200
    for a, b in ((1, 2), (0, 1), (1, 99999999999)):
        response = owner_api.get(f"/plans/{plan['id']}/versions/{a}/diff/{b}")
        assert response.status_code == 404, (a, b)
    assert outsider_api.get(f"/plans/{plan['id']}/versions").status_code == 404
    assert outsider_api.get(f"/plans/{plan['id']}/versions/1/diff/1").status_code == 404

"""The buyer's activity feed: what happened to the shared plan, told without the seller's
deal edits, private notes, share-link management or diagnosis of a slip."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from mutualplan.plans.models import Activity
from tests.conftest import BUYER, Api, day


def feed(client: Client, url: str) -> list[str]:
    """The activity feed's lines on a page, without the actor and the time."""
    page = client.get(url).content.decode()
    section = page.split('id="feed"', 1)[1].split("</ol>", 1)[0]
    items = re.findall(r"</span> (.*?) <time", section)
    return [re.sub(r"&#x27;|&#39;", "'", item) for item in items]


def buyer_client(token: str) -> Client:
    client = Client()
    client.post(f"/s/{token}/", {"name": BUYER["name"], "email": BUYER["email"]})
    return client


def seller_client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_buyer_sees_a_date_move_but_not_the_sellers_reason_for_it(
    owner: Any, owner_api: Api, anonymous_api: Api, plan: dict[str, Any], share_token: str
) -> None:
    anonymous_api.post(f"/shared/{share_token}/confirm", {"actor": BUYER})
    moved = owner_api.post(
        f"/plans/{plan['id']}/retarget",
        {
            "target_date": day(97),
            "version": plan["version"],
            "reason_category": "stakeholder_not_engaged",
            "reason_text": "Sponsor went quiet",
        },
    )
    assert moved.status_code == 200
    told = f"moved the target date from {day(90)} to {day(97)} (+7 days)"
    buyer_feed = feed(buyer_client(share_token), f"/s/{share_token}/")
    seller_feed = feed(seller_client(owner), f"/plans/{plan['id']}/")
    assert buyer_feed[0] == told
    assert seller_feed[0] == f"{told}; stakeholder not engaged"


def test_a_deal_edit_stays_off_the_buyer_feed_and_a_mixed_edit_names_only_the_shared_part(
    owner: Any, owner_api: Api, plan: dict[str, Any], share_token: str
) -> None:
    first = owner_api.patch(
        f"/plans/{plan['id']}",
        {"version": plan["version"], "deal": {"stage": "negotiation", "amount": 99000}},
    )
    assert first.status_code == 200, first.json_body
    owner_api.patch(
        f"/plans/{plan['id']}",
        {
            "version": first.json_body["version"],
            "target_reason": "Live before the audit",
            "deal": {"crm_ref": "006XYZ"},
        },
    )
    buyer_feed = feed(buyer_client(share_token), f"/s/{share_token}/")
    seller_feed = feed(seller_client(owner), f"/plans/{plan['id']}/")
    assert seller_feed[:2] == [
        "edited deal.crm ref, target reason",
        "edited deal.amount, deal.stage",
    ]
    assert buyer_feed[:2] == ["edited the reason for the date", "created the plan"]


def test_a_row_edit_tells_the_buyer_only_the_fields_the_buyer_sees(
    owner: Any, owner_api: Api, plan: dict[str, Any], share_token: str
) -> None:
    row = plan["milestones"][0]
    path = f"/plans/{plan['id']}/milestones/{row['id']}"
    owner_api.patch(path, {"version": 1, "private_notes": "Budget is soft"})
    owner_api.patch(
        path,
        {
            "version": 2,
            "status": "in_progress",
            "step_type": "legal_redline",
            "private_notes": "Budget is very soft",
            "risk_checklist": {"owner_named": "no"},
        },
    )
    buyer_feed = feed(buyer_client(share_token), f"/s/{share_token}/")
    seller_feed = feed(seller_client(owner), f"/plans/{plan['id']}/")
    title = row["title"]
    assert seller_feed[:2] == [
        f"updated '{title}': private notes, risk checklist, status: In progress, "
        "step type: Legal redline",
        f"updated '{title}': private notes",
    ]
    assert buyer_feed[0] == f"updated '{title}': status: In progress"
    assert not any("private notes" in line for line in buyer_feed)


def test_share_link_management_and_unknown_activity_are_the_sellers_alone(
    owner_api: Api, plan: dict[str, Any], share_token: str
) -> None:
    owner_api.post(f"/plans/{plan['id']}/share-links", {"label": "CFO"})
    Activity.objects.create(
        plan_id=plan["id"], actor_kind="system", verb="forecast_run", summary="P80 in Q3"
    )
    buyer_feed = feed(buyer_client(share_token), f"/s/{share_token}/")
    assert buyer_feed == ["created the plan"]

"""The old and new values the records now keep for a replay (deal amounts and close dates,
a removed row's fields, a plan's status) are the seller's: the buyer's feed, page, API and
live stream, replayed or live, tell the buyer what changed in words and no deal value."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from django.test import Client

from mutualplan.live.events import in_thread
from mutualplan.plans.models import Activity, Deal
from tests.conftest import BUYER, Api, seller_plan, share_link_token
from tests.live.sse import AsgiStream, SseEvent

pytestmark = pytest.mark.django_db(transaction=True)

# Not one of these may reach the buyer: the deal's amounts and the names of deal fields.
SELLER_ONLY = [
    "7319537",
    "7,319,537",
    "8426651",
    "8,426,651",
    "deal.amount",
    "deal.close_date",
    "close_date",
    "close date",
    "old_values",
]


def edit_plan(api: Api, plan_id: int, **fields: Any) -> None:
    version = api.get(f"/plans/{plan_id}").json_body["version"]
    response = api.patch(f"/plans/{plan_id}", {"version": version, **fields})
    assert response.status_code == 200, response.json_body


def seller_edits(owner: Any, owner_api: Api) -> tuple[int, str]:
    """A plan whose deal amount, status and rows the seller changed every recorded way."""
    plan = seller_plan(owner, deal={**_deal(), "amount": 7319537})
    plan_id = plan["id"]
    token = share_link_token(plan, owner)
    rows = plan["milestones"]
    path = f"/plans/{plan_id}/milestones"
    edited = owner_api.patch(f"{path}/{rows[0]['id']}", {"version": 1, "status": "done"})
    assert edited.status_code == 200, edited.json_body
    added = owner_api.post(path, {"title": "Pilot", "status": "in_progress"})
    assert added.status_code == 201, added.json_body
    assert owner_api.delete(f"{path}/{rows[3]['id']}").status_code == 204
    edit_plan(owner_api, plan_id, status="paused", deal={"amount": 8426651})
    edit_plan(owner_api, plan_id, status="active")
    return plan_id, token


def _deal() -> dict[str, Any]:
    return {
        "account_name": "Northwind Health",
        "account_type": "enterprise",
        "stage": "evaluation",
        "currency": "USD",
    }


def buyer_stream(owner_api: Api, plan_id: int, token: str) -> list[SseEvent]:
    """The buyer's stream from the first activity (the history replayed), then live while the
    seller marks the plan won with a new amount."""

    async def scenario() -> list[SseEvent]:
        events: list[SseEvent] = []
        async with AsgiStream(f"/s/{token}/events", query="name=Priya&last=0") as buyer:
            await in_thread(edit_plan)(owner_api, plan_id, status="won", deal={"amount": 7319537})
            final = await in_thread(
                lambda: Activity.objects.filter(plan_id=plan_id).latest("id").id
            )()
            while True:
                event = await buyer.next_event()
                assert event is not None, "the buyer stream ended"
                events.append(event)
                if event.event == "activity" and event.data["id"] == final:
                    break
        return events

    return asyncio.run(scenario())


def leaks(outputs: dict[str, str]) -> list[tuple[str, str]]:
    return [
        (name, needle)
        for name, text in outputs.items()
        for needle in SELLER_ONLY
        if needle in text.lower()
    ]


def test_the_buyer_is_told_of_status_and_row_changes_without_any_deal_value(
    settings: Any, owner: Any, owner_api: Api, anonymous_api: Api
) -> None:
    settings.REDIS_URL = ""
    plan_id, token = seller_edits(owner, owner_api)
    events = buyer_stream(owner_api, plan_id, token)
    client = Client()
    client.post(f"/s/{token}/", {"name": BUYER["name"], "email": BUYER["email"]})
    outputs = {
        "buyer page": client.get(f"/s/{token}/").content.decode(),
        "GET /shared": anonymous_api.get(f"/shared/{token}").content.decode(),
        "buyer live stream": "\n".join(json.dumps(e.data) for e in events),
    }
    assert leaks(outputs) == []
    # Not vacuous: the seller's records do hold the values, and the buyer heard of the edits.
    deal = Deal.objects.get(plan__id=plan_id)
    assert deal.close_date is not None
    won = Activity.objects.filter(plan_id=plan_id, verb="plan_updated").latest("id").data
    assert won["values"]["deal.amount"] == "7319537"
    assert won["values"]["deal.close_date"] == deal.close_date.isoformat()
    assert won["old_values"]["deal.amount"] == "8426651.00"
    summaries = [e.data["summary"] for e in events if e.event == "activity"]
    assert summaries.count("edited the plan status") == 3
    assert "removed 'Legal redline MSA'" in summaries
    assert "added 'Pilot'" in summaries
    assert "edited the plan status" in outputs["buyer page"]

"""The live streams: who may open them, what each side sees, and that no change is missed."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

import pytest
from django.utils import timezone

from mutualplan.live.backends import get_broadcaster
from mutualplan.live.events import activity_event, in_thread
from mutualplan.live.hub import Message
from mutualplan.plans.actors import Actor
from mutualplan.plans.models import Activity, Plan, ShareLink
from mutualplan.plans.services.sharing import create_share_link
from tests.conftest import BUYER, Api
from tests.live.sse import AsgiStream, SseEvent, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def seller_stream(cookie: str, plan_id: int, **headers: str) -> AsgiStream:
    """The seller's stream; `cookie` from `session_cookie`, made before the event loop runs."""
    return AsgiStream(f"/plans/{plan_id}/events", headers={"cookie": cookie, **headers})


def buyer_stream(token: str, query: str = "name=Priya+Champion", **headers: str) -> AsgiStream:
    return AsgiStream(f"/s/{token}/events", query=query, headers=headers)


def last_activity_id(plan_id: int) -> int:
    return Activity.objects.filter(plan_id=plan_id).latest("id").id


def row_path(plan: dict[str, Any], index: int) -> str:
    return f"/plans/{plan['id']}/milestones/{plan['milestones'][index]['id']}"


async def patch(api: Api, path: str, body: dict[str, Any]) -> Any:
    """A write through the REST API, from another thread as a real request would be."""
    response = await in_thread(api.patch)(path, body)
    assert response.status_code == 200, response.json_body
    return response.json_body


def test_a_visitor_who_is_not_signed_in_gets_401(plan: dict[str, Any]) -> None:
    async def scenario() -> tuple[int, str]:
        async with AsgiStream(f"/plans/{plan['id']}/events") as stream:
            return stream.status, await stream.body()

    assert run(scenario()) == (401, "sign in to follow this plan\n")


def test_a_seller_of_another_workspace_gets_404_and_so_does_an_unknown_plan(
    outsider: Any, owner: Any, plan: dict[str, Any]
) -> None:
    outsider_cookie, owner_cookie = session_cookie(outsider), session_cookie(owner)

    async def scenario() -> list[tuple[int, str]]:
        out = []
        for cookie, plan_id in ((outsider_cookie, plan["id"]), (owner_cookie, plan["id"] + 1000)):
            async with seller_stream(cookie, plan_id) as stream:
                out.append((stream.status, await stream.body()))
        return out

    assert run(scenario()) == [
        (404, f"plan {plan['id']} not found\n"),
        (404, f"plan {plan['id'] + 1000} not found\n"),
    ]


def test_the_seller_stream_says_hello_then_sends_a_change_made_through_the_api(
    owner: Any, owner_api: Api, plan: dict[str, Any]
) -> None:
    cookie = session_cookie(owner)
    before = last_activity_id(plan["id"])

    async def scenario() -> tuple[dict[str, str], SseEvent, SseEvent]:
        async with seller_stream(cookie, plan["id"]) as stream:
            hello = await stream.next_of("hello")
            await patch(owner_api, row_path(plan, 0), {"version": 1, "status": "in_progress"})
            return stream.headers, hello, await stream.next_of("activity")

    headers, hello, change = run(scenario())
    assert headers["content-type"] == "text/event-stream"
    assert headers["cache-control"] == "no-cache" and headers["x-accel-buffering"] == "no"
    assert hello.data == {"last_id": before} and hello.id == str(before)
    stored = Activity.objects.get(id=last_activity_id(plan["id"]))
    assert change.id == str(stored.id) and stored.id > before
    assert change.data == activity_event(stored)
    assert change.data["verb"] == "milestone_updated"
    assert change.data["milestone_id"] == plan["milestones"][0]["id"]
    assert change.data["actor"] == {"kind": "seller", "name": "Olivia Owner"}


def test_a_change_made_through_the_services_reaches_the_seller_stream(
    owner: Any, plan: dict[str, Any]
) -> None:
    cookie = session_cookie(owner)
    plan_obj = Plan.objects.get(id=plan["id"])

    async def scenario() -> SseEvent:
        async with seller_stream(cookie, plan["id"]) as stream:
            await stream.next_of("hello")
            await in_thread(create_share_link)(plan_obj, Actor.seller(owner), None, "CFO")
            return await stream.next_of("activity")

    change = run(scenario())
    assert change.data["verb"] == "share_link_created"
    assert change.data["summary"] == "created a share link (CFO)"
    assert change.data["seller_only"] is True


def test_the_buyer_stream_never_carries_seller_only_events(
    owner: Any, owner_api: Api, plan: dict[str, Any], share_token: str
) -> None:
    cookie = session_cookie(owner)

    async def scenario() -> tuple[list[SseEvent], list[SseEvent]]:
        async with seller_stream(cookie, plan["id"]) as seller, buyer_stream(share_token) as buyer:
            await seller.next_of("hello")
            await buyer.next_of("hello")
            path = row_path(plan, 0)
            await patch(owner_api, path, {"version": 1, "private_notes": "Budget is soft"})
            await in_thread(owner_api.post)(f"/plans/{plan['id']}/share-links", {"label": "CFO"})
            await patch(owner_api, path, {"version": 2, "notes": "Kickoff agenda sent"})
            seen_by_seller = await seller.activities(3)
            seen_by_buyer = await buyer.activities(1)
            await buyer.no_more_activity()
            return seen_by_seller, seen_by_buyer

    seen_by_seller, seen_by_buyer = run(scenario())
    assert [e.data["seller_only"] for e in seen_by_seller] == [True, True, False]
    assert [e.data["verb"] for e in seen_by_seller] == [
        "milestone_updated",
        "share_link_created",
        "milestone_updated",
    ]
    assert [e.data for e in seen_by_buyer] == [seen_by_seller[2].data]
    assert "Budget" not in str(seen_by_buyer)


def test_a_revoked_link_gets_410_and_an_unknown_one_404(
    owner_api: Api, plan: dict[str, Any], share_token: str
) -> None:
    link = ShareLink.objects.get(plan_id=plan["id"])
    assert owner_api.delete(f"/share-links/{link.id}").status_code in (200, 204)

    async def scenario() -> list[tuple[int, str]]:
        out = []
        for token in (share_token, "no-such-token"):
            async with buyer_stream(token) as stream:
                out.append((stream.status, await stream.body()))
        return out

    assert run(scenario()) == [
        (410, "this link no longer works: it was revoked\n"),
        (404, "this link does not exist\n"),
    ]


def test_a_revoked_link_ends_the_open_buyer_stream(
    owner_api: Api, plan: dict[str, Any], share_token: str
) -> None:
    link = ShareLink.objects.get(plan_id=plan["id"])

    async def scenario() -> tuple[SseEvent | None, SseEvent | None]:
        async with buyer_stream(share_token) as stream:
            await stream.next_of("hello")
            response = await in_thread(owner_api.delete)(f"/share-links/{link.id}")
            assert response.status_code in (200, 204)
            revoked = await stream.next_event()
            while revoked is not None and revoked.event == "presence":
                revoked = await stream.next_event()
            return revoked, await stream.next_event()

    revoked, after = run(scenario())
    assert revoked is not None and revoked.event == "revoked"
    assert revoked.data == {"detail": "this link no longer works: it was revoked"}
    assert after is None  # the stream ended


def test_an_expired_link_ends_the_buyer_stream_at_its_next_heartbeat(
    settings: Any, plan: dict[str, Any], share_token: str
) -> None:
    settings.LIVE_HEARTBEAT_SECONDS = 0.2

    async def scenario() -> SseEvent:
        async with buyer_stream(share_token) as stream:
            await stream.next_of("hello")
            # Expiry publishes nothing: only the heartbeat's check can notice it.
            await in_thread(ShareLink.objects.filter(plan_id=plan["id"]).update)(
                expires_at=timezone.now()
            )
            return await stream.next_of("revoked")

    assert run(scenario()).data == {"detail": "this link no longer works: it has expired"}


def test_a_reconnect_with_last_event_id_replays_exactly_the_missed_events_then_goes_live(
    owner: Any, owner_api: Api, plan: dict[str, Any]
) -> None:
    cookie = session_cookie(owner)

    async def scenario() -> tuple[list[SseEvent], list[SseEvent]]:
        async with seller_stream(cookie, plan["id"]) as stream:
            last_seen = (await stream.next_of("hello")).id
            assert last_seen is not None
        # The page is away: three changes happen meanwhile.
        await patch(owner_api, row_path(plan, 0), {"version": 1, "status": "in_progress"})
        await patch(owner_api, row_path(plan, 1), {"version": 1, "private_notes": "IT is slow"})
        await patch(owner_api, row_path(plan, 2), {"version": 1, "notes": "Draft sent"})
        async with seller_stream(cookie, plan["id"], **{"Last-Event-ID": last_seen}) as stream:
            replayed = await stream.activities(3)
            await patch(owner_api, row_path(plan, 0), {"version": 2, "status": "done"})
            live = await stream.activities(1)
            await stream.no_more_activity()
        return replayed, live

    replayed, live = run(scenario())
    rows = list(Activity.objects.filter(plan_id=plan["id"]).order_by("-id")[:4])[::-1]
    assert [e.data for e in replayed] == [activity_event(row) for row in rows[:3]]
    assert [e.id for e in replayed] == [str(row.id) for row in rows[:3]]
    assert [e.data for e in live] == [activity_event(rows[3])]


def test_the_buyer_replay_after_a_last_id_leaves_out_seller_only_events(
    owner_api: Api, plan: dict[str, Any], share_token: str
) -> None:
    since = last_activity_id(plan["id"])
    owner_api.patch(row_path(plan, 0), {"version": 1, "private_notes": "Champion leaves soon"})
    owner_api.patch(row_path(plan, 1), {"version": 1, "status": "in_progress"})

    async def scenario() -> list[SseEvent]:
        async with buyer_stream(share_token, query=f"name=Priya&last={since}") as stream:
            replayed = await stream.activities(1)
            await stream.no_more_activity()
            return replayed

    replayed = run(scenario())
    assert [e.data["milestone_id"] for e in replayed] == [plan["milestones"][1]["id"]]
    assert replayed[0].data["seller_only"] is False


def test_the_presence_lists_each_viewer_once_with_a_count_as_viewers_come_and_go(
    owner: Any, plan: dict[str, Any], share_token: str
) -> None:
    cookie = session_cookie(owner)

    async def presence_with_total(stream: AsgiStream, total: int) -> dict[str, Any]:
        while True:
            event = await stream.next_of("presence")
            if event.data["total"] == total:
                return dict(event.data)

    async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
        async with seller_stream(cookie, plan["id"]) as seller, buyer_stream(share_token):
            async with buyer_stream(share_token):
                everyone = await presence_with_total(seller, 3)
            after_one_left = await presence_with_total(seller, 2)
        return everyone, after_one_left

    everyone, after_one_left = run(scenario())
    assert everyone["viewers"] == [
        {"kind": "seller", "name": "Olivia Owner", "count": 1},
        {"kind": "buyer", "name": "Priya Champion", "count": 2},
    ]
    assert after_one_left["viewers"][1] == {"kind": "buyer", "name": "Priya Champion", "count": 1}


def test_a_change_that_never_reached_the_hub_is_caught_up_at_the_next_heartbeat(
    settings: Any, owner: Any, plan: dict[str, Any]
) -> None:
    cookie = session_cookie(owner)
    settings.LIVE_HEARTBEAT_SECONDS = 0.2

    async def scenario() -> tuple[SseEvent, Activity]:
        async with seller_stream(cookie, plan["id"]) as stream:
            await stream.next_of("hello")
            # As written by another server process that has no Redis to publish through.
            row = await in_thread(Activity.objects.create)(
                plan_id=plan["id"],
                actor_kind="seller",
                actor_name="Theo Teammate",
                verb="plan_updated",
                summary="updated the plan",
            )
            return await stream.next_of("activity"), row

    event, row = run(scenario())
    assert event.data == activity_event(row)


def test_a_stream_that_falls_behind_is_dropped_and_its_reconnect_replays_what_it_missed(
    monkeypatch: Any, owner: Any, plan: dict[str, Any]
) -> None:
    cookie = session_cookie(owner)
    hub = get_broadcaster().hub
    monkeypatch.setattr(hub, "queue_size", 2)
    since = last_activity_id(plan["id"])
    rows = [
        Activity.objects.create(
            plan_id=plan["id"], actor_kind="seller", actor_name="Olivia Owner", verb="v", summary=s
        )
        for s in ("one", "two", "three", "four")
    ]

    async def scenario() -> tuple[SseEvent | None, list[SseEvent]]:
        async with seller_stream(cookie, plan["id"], **{"Last-Event-ID": str(since)}) as stream:
            await stream.activities(4)  # replayed
            # Four events at once into a queue of two, before the stream can read one.
            for row in rows:
                hub.publish(plan["id"], Message("activity", activity_event(row) | {"id": -row.id}))
            end = await stream.next_event()
            while end is not None and end.event == "presence":
                end = await stream.next_event()
        async with seller_stream(cookie, plan["id"], **{"Last-Event-ID": str(since)}) as stream:
            return end, await stream.activities(4)

    end, replayed = run(scenario())
    assert end is None
    assert [e.data["summary"] for e in replayed] == ["one", "two", "three", "four"]


def test_a_buyer_write_reaches_the_seller_stream_with_the_buyers_name(
    owner: Any, anonymous_api: Api, plan: dict[str, Any], share_token: str
) -> None:
    cookie = session_cookie(owner)
    review = plan["milestones"][1]  # a buyer row

    async def scenario() -> SseEvent:
        async with seller_stream(cookie, plan["id"]) as stream:
            await stream.next_of("hello")
            await patch(
                anonymous_api,
                f"/shared/{share_token}/milestones/{review['id']}",
                {"actor": BUYER, "version": 1, "status": "in_progress"},
            )
            return await stream.next_of("activity")

    event = run(scenario())
    assert event.data["actor"] == {"kind": "buyer", "name": "Priya Champion"}
    assert event.data["milestone_id"] == review["id"]


def test_an_event_replayed_on_reconnect_is_not_sent_again_when_it_also_arrives_live(
    owner: Any, plan: dict[str, Any]
) -> None:
    cookie = session_cookie(owner)
    since = last_activity_id(plan["id"])

    def add_activity(summary: str) -> Activity:
        return Activity.objects.create(
            plan_id=plan["id"],
            actor_kind="seller",
            actor_name="Olivia Owner",
            verb="v",
            summary=summary,
        )

    replayed_row = add_activity("committed before the stream read the database")
    hub = get_broadcaster().hub

    async def scenario() -> list[SseEvent]:
        async with seller_stream(cookie, plan["id"], **{"Last-Event-ID": str(since)}) as stream:
            replayed = await stream.activities(1)
            live_row = await in_thread(add_activity)("committed after")
            # The replayed row's delivery after commit comes late, after the replay sent it.
            for row in (replayed_row, live_row):
                hub.publish(plan["id"], Message("activity", activity_event(row)))
            return replayed + await stream.activities(1)

    events = run(scenario())
    assert [e.data["summary"] for e in events] == [replayed_row.summary, "committed after"]


def test_a_reconnect_after_too_many_missed_changes_asks_the_page_to_reload(
    monkeypatch: Any, owner: Any, owner_api: Api, plan: dict[str, Any]
) -> None:
    monkeypatch.setattr("mutualplan.live.events.REPLAY_LIMIT", 2)
    cookie = session_cookie(owner)
    since = last_activity_id(plan["id"])
    for index in range(3):
        owner_api.patch(row_path(plan, index), {"version": 1, "notes": "Sent"})
    latest = last_activity_id(plan["id"])

    async def scenario() -> SseEvent | None:
        async with seller_stream(cookie, plan["id"], **{"Last-Event-ID": str(since)}) as stream:
            event = await stream.next_event()
            while event is not None and event.event == "presence":
                event = await stream.next_event()
            await stream.no_more_activity()
            return event

    reload = run(scenario())
    assert reload is not None and reload.event == "reload"
    assert reload.data == {"last_id": latest} and reload.id == str(latest)


def test_a_change_committed_late_below_what_the_page_saw_still_arrives_after_a_reconnect(
    settings: Any, owner: Any, plan: dict[str, Any]
) -> None:
    """Another process took a lower id, but committed after the stream had sent a higher one
    and the page had gone away: the page's Last-Event-ID names the hole, so it is filled."""
    cookie = session_cookie(owner)
    settings.LIVE_HEARTBEAT_SECONDS = 0.2

    def written(event_id: int) -> Activity:
        # As written by another server process that has no Redis to publish through.
        return Activity.objects.create(
            id=event_id,
            plan_id=plan["id"],
            actor_kind="seller",
            actor_name="Theo Teammate",
            verb="plan_updated",
            summary=f"change {event_id}",
        )

    async def scenario(start: int) -> tuple[SseEvent, list[SseEvent]]:
        async with seller_stream(cookie, plan["id"]) as stream:
            await stream.next_of("hello")
            await in_thread(written)(start + 10)
            higher = await stream.next_of("activity")
        # The page is away when the lower id commits.
        await in_thread(written)(start + 5)
        assert higher.id is not None
        async with seller_stream(cookie, plan["id"], **{"Last-Event-ID": higher.id}) as stream:
            filled = await stream.activities(1)
            await stream.no_more_activity()
        return higher, filled

    start = Activity.objects.order_by("-id").values_list("id", flat=True).first() or 0
    higher, filled = run(scenario(start))
    assert higher.id == f"{start + 10};{start + 1}-{start + 9}"
    assert [event.data["summary"] for event in filled] == [f"change {start + 5}"]
    assert filled[0].id == f"{start + 10};{start + 1}-{start + 4},{start + 6}-{start + 9}"

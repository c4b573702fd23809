"""The hub: writers publish from any thread, streams read on their event loop, nobody waits."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from typing import Any

import pytest
from django.db import transaction

from mutualplan.live.backends import get_broadcaster
from mutualplan.live.hub import Hub, Message
from mutualplan.live.memory import InMemoryBroadcaster
from mutualplan.live.presence import Viewer, presence_payload
from mutualplan.plans import live
from mutualplan.plans.models import Activity, Milestone
from tests.conftest import Api


def event(n: int) -> Message:
    return Message("activity", {"id": n})


def test_publishing_from_many_threads_delivers_every_event_in_each_writers_order() -> None:
    hub = Hub(queue_size=10_000)
    writers, per_writer = 8, 200

    async def scenario() -> list[int]:
        sub = hub.subscribe(plan_id=7)
        other_plan = hub.subscribe(plan_id=8)

        def write(w: int) -> None:
            for i in range(per_writer):
                hub.publish(7, event(w * 1000 + i))

        threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
        for t in threads:
            t.start()
        received: list[int] = []
        async with asyncio.timeout(10):
            while len(received) < writers * per_writer:
                received.append((await sub.get()).data["id"])
        for t in threads:
            t.join(timeout=10)
        assert other_plan.queue.empty()
        return received

    received = asyncio.run(scenario())
    assert sorted(received) == sorted(
        w * 1000 + i for w in range(writers) for i in range(per_writer)
    )
    for w in range(writers):
        mine = [n for n in received if n // 1000 == w]
        assert mine == sorted(mine)


def test_a_full_queue_drops_that_stream_without_blocking_the_writer() -> None:
    hub = Hub(queue_size=3)

    async def scenario() -> tuple[float, list[int]]:
        slow = hub.subscribe(plan_id=1)
        fast = hub.subscribe(plan_id=1)
        received: list[int] = []

        async def read() -> None:
            while len(received) < 50:
                received.append((await fast.get()).data["id"])

        reader = asyncio.create_task(read())
        started = time.perf_counter()
        for n in range(50):
            # From another thread, as a committing request does, with a pause to let the
            # fast reader keep up.
            await asyncio.to_thread(hub.publish, 1, event(n))
        elapsed = time.perf_counter() - started
        async with asyncio.timeout(5):
            await reader
        assert slow.dropped and not fast.dropped
        assert hub.subscriber_count(1) == 1  # the slow one is gone
        return elapsed, received

    elapsed, received = asyncio.run(scenario())
    assert received == list(range(50))
    assert elapsed < 5


def test_only_the_latest_viewer_list_waits_in_a_queue() -> None:
    hub = Hub(queue_size=2)

    async def scenario() -> list[Message]:
        sub = hub.subscribe(plan_id=1)
        for total in (1, 2, 3, 4):
            hub.publish(1, Message("presence", {"total": total}))
        hub.publish(1, event(10))
        await asyncio.sleep(0)  # let the loop run the deliveries
        assert not sub.dropped
        return [await sub.get(), await sub.get()]

    first, second = asyncio.run(scenario())
    assert first == Message("presence", {"total": 4})
    assert second == event(10)


def test_a_stream_whose_event_loop_has_closed_is_forgotten_by_the_next_publish() -> None:
    hub = Hub()

    async def subscribe() -> None:
        hub.subscribe(plan_id=1)

    asyncio.run(subscribe())  # the loop closes with the subscription still registered
    hub.publish(1, event(1))
    assert hub.subscriber_count(1) == 0


def test_the_viewer_list_counts_each_kind_and_name_once_sellers_first() -> None:
    payload = presence_payload(
        [("buyer", "priya"), ("seller", "Olivia"), ("buyer", "Priya"), ("buyer", "priya")]
    )
    assert payload == {
        "viewers": [
            {"kind": "seller", "name": "Olivia", "count": 1},
            {"kind": "buyer", "name": "priya", "count": 2},
            {"kind": "buyer", "name": "Priya", "count": 1},
        ],
        "total": 4,
    }


def test_joins_in_a_burst_go_out_as_one_presence_message() -> None:
    broadcaster = InMemoryBroadcaster()

    async def scenario() -> list[Message]:
        sub = broadcaster.hub.subscribe(plan_id=3)
        for n in range(20):
            await broadcaster.join(3, Viewer("buyer", f"Buyer {n % 2}"))
        async with asyncio.timeout(2):
            first = await sub.get()
        await asyncio.sleep(0.3)
        assert sub.queue.empty()
        return [first]

    (message,) = asyncio.run(scenario())
    assert message.kind == "presence" and message.data["total"] == 20
    assert [v["count"] for v in message.data["viewers"]] == [10, 10]


@pytest.mark.django_db(transaction=True)
def test_an_event_is_published_after_the_commit_and_never_for_a_rolled_back_write() -> None:
    seen: list[tuple[int, dict[str, Any]]] = []

    def listener(plan_id: int, event: dict[str, Any]) -> None:
        seen.append((plan_id, event))

    live.subscribe(listener)
    try:
        with transaction.atomic():
            live.publish(1, {"id": 1})
            assert seen == []  # not before the commit
        assert seen == [(1, {"id": 1})]
        with pytest.raises(RuntimeError), transaction.atomic():
            live.publish(1, {"id": 2})
            raise RuntimeError("the write fails")
        assert seen == [(1, {"id": 1})]
    finally:
        live.unsubscribe(listener)


@pytest.mark.django_db(transaction=True)
def test_a_failing_broadcaster_never_fails_the_write(
    monkeypatch: Any, caplog: Any, owner_api: Api, plan: dict[str, Any]
) -> None:
    attempts: list[int] = []

    def broken(plan_id: int, event: dict[str, Any]) -> None:
        attempts.append(event["id"])
        raise ConnectionError("Redis went away")

    heard: list[dict[str, Any]] = []

    def other_listener(plan_id: int, event: dict[str, Any]) -> None:
        heard.append(event)

    monkeypatch.setattr(get_broadcaster(), "publish", broken)
    live.subscribe(other_listener)
    row = plan["milestones"][0]
    try:
        with caplog.at_level(logging.ERROR, logger="mutualplan.plans.live"):
            response = owner_api.patch(
                f"/plans/{plan['id']}/milestones/{row['id']}", {"version": 1, "notes": "Sent"}
            )
    finally:
        live.unsubscribe(other_listener)

    assert response.status_code == 200, response.json_body
    assert response.json_body["notes"] == "Sent"
    assert Milestone.objects.get(id=row["id"]).notes == "Sent"  # the write is committed
    activity = Activity.objects.filter(plan_id=plan["id"]).latest("id")
    assert attempts == [activity.id]  # the broadcaster was asked, and failed
    assert [event["id"] for event in heard] == [activity.id]  # the others still heard it
    failures = [r for r in caplog.records if "a listener failed" in r.getMessage()]
    assert len(failures) == 1 and "Redis went away" in str(failures[0].exc_info[1])

"""Live events and presence through Redis, with two broadcasters standing in for two processes.

The tests that need a Redis server skip without one, except under CI=true where they fail.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from typing import Any

import pytest
import redis

from mutualplan.live.events import in_thread
from mutualplan.live.hub import Message
from mutualplan.live.presence import Viewer
from mutualplan.live.redis_relay import LISTENER_NAME, RedisBroadcaster
from mutualplan.plans.models import Activity
from tests.conftest import Api
from tests.live.sse import AsgiStream, session_cookie

# Nothing listens on port 1: a Redis that is down.
DOWN = "redis://127.0.0.1:1/0"


def a_plan_id() -> int:
    # Pub/sub channels are server-wide: keep clear of other test runs on the same server.
    return random.randrange(10**9, 10**12)


async def next_message(sub: Any, kind: str, timeout: float = 10.0) -> Message:
    """The next message of that kind. Every caller waits for one that must come: a loaded
    machine took more than 3 s once."""
    async with asyncio.timeout(timeout):
        while True:
            message: Message = await sub.get()
            if message.kind == kind:
                return message


def test_an_event_published_in_one_process_reaches_the_streams_of_another(
    redis_url: str,
) -> None:
    plan_id = a_plan_id()

    async def scenario() -> Message:
        writer, reader = RedisBroadcaster(f"{redis_url}/3"), RedisBroadcaster(f"{redis_url}/3")
        try:
            await reader.ready()
            sub = reader.hub.subscribe(plan_id)
            # Published from a request's thread after its commit, as history.record does.
            await asyncio.to_thread(writer.publish, plan_id, {"id": 42, "verb": "v"})
            return await next_message(sub, "activity")
        finally:
            await reader.aclose()
            await writer.aclose()

    assert asyncio.run(scenario()) == Message("activity", {"id": 42, "verb": "v"})


def test_installations_on_different_redis_databases_do_not_hear_each_other(
    redis_url: str,
) -> None:
    plan_id = a_plan_id()

    async def scenario() -> bool:
        other, reader = RedisBroadcaster(f"{redis_url}/4"), RedisBroadcaster(f"{redis_url}/5")
        try:
            await reader.ready()
            sub = reader.hub.subscribe(plan_id)
            await asyncio.to_thread(other.publish, plan_id, {"id": 1})
            await asyncio.sleep(0.3)
            return sub.queue.empty()
        finally:
            await reader.aclose()

    assert asyncio.run(scenario())


def test_the_viewers_of_every_process_are_listed_together(redis_url: str) -> None:
    plan_id = a_plan_id()

    async def scenario() -> Message:
        first, second = RedisBroadcaster(f"{redis_url}/3"), RedisBroadcaster(f"{redis_url}/3")
        try:
            await first.ready()
            await second.ready()
            sub = second.hub.subscribe(plan_id)
            await first.join(plan_id, Viewer("seller", "Olivia Owner"))
            await second.join(plan_id, Viewer("buyer", "Priya Champion"))
            await second.join(plan_id, Viewer("buyer", "Priya Champion"))
            while True:
                message = await next_message(sub, "presence")
                if message.data["total"] == 3:
                    return message
        finally:
            await first.aclose()
            await second.aclose()

    assert asyncio.run(scenario()).data["viewers"] == [
        {"kind": "seller", "name": "Olivia Owner", "count": 1},
        {"kind": "buyer", "name": "Priya Champion", "count": 2},
    ]


def test_a_viewer_whose_process_died_leaves_the_list_once_its_entry_expires(
    settings: Any, redis_url: str
) -> None:
    settings.LIVE_HEARTBEAT_SECONDS = 0.1  # entries live three heartbeats
    plan_id = a_plan_id()

    async def scenario() -> Message:
        gone, alive = RedisBroadcaster(f"{redis_url}/3"), RedisBroadcaster(f"{redis_url}/3")
        staying = Viewer("seller", "Olivia Owner")
        try:
            await alive.ready()
            sub = alive.hub.subscribe(plan_id)
            await gone.join(plan_id, Viewer("buyer", "Priya Champion"))  # never leaves
            await alive.join(plan_id, staying)
            await asyncio.sleep(0.4)
            await alive.refresh(plan_id, staying)  # a heartbeat of the live stream
            while True:
                message = await next_message(sub, "presence")
                if message.data["total"] == 1:
                    return message
        finally:
            await gone.aclose()
            await alive.aclose()

    assert asyncio.run(scenario()).data["viewers"] == [
        {"kind": "seller", "name": "Olivia Owner", "count": 1}
    ]


def test_streams_look_for_missed_events_when_the_redis_subscription_comes_back(
    redis_url: str,
) -> None:
    plan_id = a_plan_id()

    async def scenario() -> Message:
        broadcaster = RedisBroadcaster(f"{redis_url}/3")
        try:
            await broadcaster.ready()
            sub = broadcaster.hub.subscribe(plan_id)
            admin = redis.Redis.from_url(redis_url)
            mine = f"{LISTENER_NAME}:{os.getpid()}"
            for client in admin.client_list(_type="pubsub"):
                if client["name"] == mine:
                    admin.client_kill_filter(_id=client["id"])
            return await next_message(sub, "resync")
        finally:
            await broadcaster.aclose()

    assert asyncio.run(scenario()).kind == "resync"


def test_with_redis_down_a_write_still_reaches_the_viewers_of_its_own_process() -> None:
    plan_id = a_plan_id()

    async def scenario() -> tuple[float, Message]:
        broadcaster = RedisBroadcaster(DOWN)
        try:
            sub = broadcaster.hub.subscribe(plan_id)
            started = time.perf_counter()
            for n in (1, 2):  # the second does not wait on Redis again (one probe a second)
                await asyncio.to_thread(broadcaster.publish, plan_id, {"id": n})
            elapsed = time.perf_counter() - started
            await next_message(sub, "activity")
            return elapsed, await next_message(sub, "activity")
        finally:
            await broadcaster.aclose()

    elapsed, second = asyncio.run(scenario())
    assert second.data == {"id": 2}
    assert elapsed < 2


@pytest.mark.django_db(transaction=True)
def test_with_redis_down_an_api_write_succeeds_and_the_stream_still_sees_it(
    settings: Any, owner: Any, owner_api: Api, plan: dict[str, Any]
) -> None:
    settings.REDIS_URL = DOWN
    cookie = session_cookie(owner)
    row = plan["milestones"][0]

    async def scenario() -> tuple[int, dict[str, Any]]:
        async with AsgiStream(f"/plans/{plan['id']}/events", headers={"cookie": cookie}) as s:
            await s.next_of("hello")
            response = await in_thread(owner_api.patch)(
                f"/plans/{plan['id']}/milestones/{row['id']}", {"version": 1, "notes": "Sent"}
            )
            return response.status_code, (await s.next_of("activity")).data

    status, event = asyncio.run(scenario())
    assert status == 200
    assert event["id"] == Activity.objects.filter(plan_id=plan["id"]).latest("id").id

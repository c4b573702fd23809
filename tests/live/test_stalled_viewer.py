"""A viewer that stops reading is disconnected after MUTUALPLAN_SEND_TIMEOUT_SECONDS.

The server side is a stand-in for uvicorn's connection (its `send` is a bound method of an
object with the `transport`, as uvicorn's is): once the client stops reading, a write waits
for ever, as it does when the socket's buffers are full. Everything else is the real
application.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

import pytest

from mutualplan.asgi import application
from mutualplan.live.backends import get_broadcaster
from mutualplan.live.events import in_thread
from tests.conftest import Api

pytestmark = pytest.mark.django_db(transaction=True)


class Transport:
    def __init__(self, connection: StuckConnection) -> None:
        self.connection = connection

    def abort(self) -> None:
        self.connection.aborted_at = asyncio.get_running_loop().time()
        self.connection.gone.set()


class StuckConnection:
    """Takes the response until `stop_reading`, then every write blocks until aborted."""

    def __init__(self) -> None:
        self.transport = Transport(self)
        self.body = b""
        self.reading = True
        self.gone = asyncio.Event()
        self.blocked_at: float | None = None
        self.aborted_at: float | None = None
        self.request_sent = False

    async def receive(self) -> dict[str, Any]:
        if not self.request_sent:
            self.request_sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await self.gone.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: Mapping[str, Any]) -> None:
        if self.gone.is_set():
            return  # as uvicorn does once the connection is lost
        if self.reading:
            self.body += message.get("body", b"")
            return
        if self.blocked_at is None:
            self.blocked_at = asyncio.get_running_loop().time()
        await self.gone.wait()  # the buffers are full: only the connection's end frees it


def stream_scope(path: str) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"name=Priya",
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }


def test_a_viewer_that_stops_reading_is_disconnected_within_the_bound(
    settings: Any, caplog: Any, owner_api: Api, plan: dict[str, Any], share_token: str
) -> None:
    settings.SEND_TIMEOUT_SECONDS = 1
    row = plan["milestones"][1]
    broadcaster = get_broadcaster()

    async def scenario() -> tuple[StuckConnection, int, list[tuple[str, str]]]:
        connection = StuckConnection()
        path = f"/s/{share_token}/events"
        task = asyncio.create_task(
            application(stream_scope(path), connection.receive, connection.send)
        )
        async with asyncio.timeout(5):
            while b"event: hello" not in connection.body:
                await asyncio.sleep(0.01)
        connection.reading = False
        # A change the viewer will never read: its write waits on the full buffers.
        response = await in_thread(owner_api.patch)(
            f"/plans/{plan['id']}/milestones/{row['id']}", {"version": 1, "notes": "Sent"}
        )
        assert response.status_code == 200
        async with asyncio.timeout(5):
            await task  # the stream ended: the application is done with this request
        await asyncio.sleep(0.3)  # the presence flush after the leave
        return (
            connection,
            broadcaster.hub.subscriber_count(plan["id"]),
            broadcaster.viewers(plan["id"]),
        )

    with caplog.at_level(logging.WARNING, logger="mutualplan.http.stalled_clients"):
        connection, subscribers, viewers = asyncio.run(scenario())

    assert connection.blocked_at is not None and connection.aborted_at is not None
    waited = connection.aborted_at - connection.blocked_at
    assert 0.9 <= waited < 3.0, waited  # the bound (1 s), not forever
    assert subscribers == 0 and viewers == []  # the viewer left the plan
    assert any(
        "read nothing for 1 s" in r.getMessage() and "/events" in r.getMessage()
        for r in caplog.records
    )

"""A live stream whose database goes away ends, with one warning line, so the page
reconnects (and gets a 503 until the database is back)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from tests.database.conftest import database_down
from tests.live.sse import AsgiStream, SseEvent

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_buyer_stream_whose_database_goes_away_ends_with_one_warning_line(
    settings: Any, plan: dict[str, Any], share_token: str, caplog: pytest.LogCaptureFixture
) -> None:
    # The heartbeat looks in the database: that is where the stream notices.
    settings.LIVE_HEARTBEAT_SECONDS = 0.2

    async def scenario() -> list[SseEvent]:
        after: list[SseEvent] = []
        async with AsgiStream(f"/s/{share_token}/events", query="name=Priya") as stream:
            await stream.next_of("hello")
            with database_down():
                while (event := await stream.next_event(timeout=3)) is not None:
                    after.append(event)
        return after

    after = asyncio.run(scenario())
    assert {event.event for event in after} <= {"presence"}  # then it ended
    [record] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert record.levelname == "WARNING"
    assert record.getMessage() == (
        f"database unavailable (live stream of plan {plan['id']} ended): "
        "consuming input failed: server closed the connection unexpectedly"
    )
    assert record.exc_info is None

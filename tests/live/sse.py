"""Test helpers: open a live stream through the real ASGI application and read its events.

httpx's ASGI transport and Django's test clients wait for the whole response, which a live
stream never finishes; this drives the application as an ASGI server would, one chunk at a
time, and tells it the client went away on exit.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from django.conf import settings
from django.test import Client

from mutualplan.asgi import application

WAIT = 5.0


@dataclass
class SseEvent:
    event: str
    data: Any
    id: str | None


def session_cookie(user: Any) -> str:
    """A `Cookie` header value that signs `user` in, through the session machinery."""
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def parse_event(block: str) -> SseEvent | None:
    """One message of the stream; None for a comment (heartbeat) or a bare `retry:`."""
    fields: dict[str, str] = {}
    for line in block.split("\n"):
        if not line or line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        fields[name] = value[1:] if value.startswith(" ") else value
    if "data" not in fields:
        return None
    return SseEvent(fields.get("event", "message"), json.loads(fields["data"]), fields.get("id"))


class AsgiStream:
    """`async with AsgiStream("/s/<token>/events") as stream: await stream.next_event()`."""

    def __init__(self, path: str, query: str = "", headers: dict[str, str] | None = None) -> None:
        self.path = path
        self.query = query
        self.request_headers = {"host": "testserver", **(headers or {})}
        self.status = 0
        self.headers: dict[str, str] = {}
        self.comments = 0
        self._chunks: asyncio.Queue[bytes | None] = asyncio.Queue()
        self._started = asyncio.Event()
        self._disconnect = asyncio.Event()
        self._request_sent = False
        self._buffer = ""
        self._ended = False
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> AsgiStream:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": self.path,
            "raw_path": self.path.encode(),
            "query_string": self.query.encode(),
            "root_path": "",
            "headers": [(k.lower().encode(), v.encode()) for k, v in self.request_headers.items()],
            "client": ("127.0.0.1", 50000),
            "server": ("testserver", 80),
        }
        self._task = asyncio.create_task(application(scope, self._receive, self._send))
        async with asyncio.timeout(WAIT):
            await self._started.wait()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._disconnect.set()
        assert self._task is not None
        async with asyncio.timeout(WAIT):
            await self._task

    async def _receive(self) -> dict[str, Any]:
        if not self._request_sent:
            self._request_sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await self._disconnect.wait()
        return {"type": "http.disconnect"}

    async def _send(self, message: Mapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = {k.decode().lower(): v.decode() for k, v in message["headers"]}
            self._started.set()
        elif message["type"] == "http.response.body":
            self._chunks.put_nowait(message.get("body", b""))
            if not message.get("more_body", False):
                self._chunks.put_nowait(None)

    async def body(self) -> str:
        """The whole body of a response that ends (an error, or a stream that stopped)."""
        parts = []
        async with asyncio.timeout(WAIT):
            while (chunk := await self._chunks.get()) is not None:
                parts.append(chunk)
        return b"".join(parts).decode()

    async def next_event(self, timeout: float = WAIT) -> SseEvent | None:
        """The next event (heartbeats skipped), or None once the stream has ended."""
        async with asyncio.timeout(timeout):
            while True:
                while "\n\n" in self._buffer:
                    block, self._buffer = self._buffer.split("\n\n", 1)
                    event = parse_event(block)
                    if event is not None:
                        return event
                    if block.startswith(":"):
                        self.comments += 1
                if self._ended:
                    return None
                chunk = await self._chunks.get()
                if chunk is None:
                    self._ended = True
                else:
                    self._buffer += chunk.decode()

    async def next_of(self, kind: str, timeout: float = WAIT) -> SseEvent:
        """The next event named `kind`, skipping others (presence comes at any time)."""
        async with asyncio.timeout(timeout):
            while True:
                event = await self.next_event(timeout)
                assert event is not None, f"the stream ended before a {kind!r} event"
                if event.event == kind:
                    return event

    async def activities(self, count: int, timeout: float = WAIT) -> list[SseEvent]:
        return [await self.next_of("activity", timeout) for _ in range(count)]

    async def no_more_activity(self, wait: float = 0.3) -> None:
        """Assert that no activity event comes within `wait` seconds."""
        try:
            event = await self.next_of("activity", wait)
        except TimeoutError:
            return
        raise AssertionError(f"unexpected activity {event.data}")

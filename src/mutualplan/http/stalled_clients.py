"""A client that stops reading is disconnected after a bounded time.

A live stream lasts hours. When its client stops reading (a suspended laptop, a stuck proxy),
the server's buffers fill and every further write waits: the hub drops the stream, but the
response would stay open forever, holding a socket, kernel buffers and the stream's state.
Every write of every response therefore gets `SEND_TIMEOUT_SECONDS`; past that the
connection is aborted (its unsent bytes discarded) and the application is told the client
left, which ends the stream and runs its clean-up.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)

Scope = dict[str, Any]
Message = Mapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
AsgiApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class ClientStalled(Exception):
    """The client read nothing for the whole bound, and the server gave no way to abort."""


def send_timeout_seconds() -> float:
    """How long one write to a client may wait for it to read."""
    return float(getattr(settings, "SEND_TIMEOUT_SECONDS", 30))


def abort_connection(send: Send) -> bool:
    """Abort the connection behind uvicorn's `send` (its transport); False when not found.

    Closing politely would wait for the unsent bytes to drain, which a client that reads
    nothing never lets happen: only an abort frees the socket.
    """
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    abort = getattr(transport, "abort", None)
    if abort is None:
        return False
    abort()
    return True


def close_stalled_clients(app: AsgiApp) -> AsgiApp:
    """Wrap an ASGI application so that no write waits on its client longer than the bound."""

    async def bounded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        limit = send_timeout_seconds()
        stalled = False

        async def send_bounded(message: Message) -> None:
            nonlocal stalled
            if stalled:
                return  # the connection is gone: the rest of the answer goes nowhere
            try:
                async with asyncio.timeout(limit):
                    await send(message)
            except TimeoutError:
                stalled = True
                logger.warning(
                    "closed the connection of a client that read nothing for %.0f s (%s)",
                    limit,
                    scope.get("path", ""),
                )
                # uvicorn then reports the client gone, which ends the response (a stream's
                # clean-up runs); without a transport to abort, failing the response does.
                if not abort_connection(send):
                    raise ClientStalled(f"the client read nothing for {limit:.0f} s") from None

        await app(scope, receive, send_bounded)

    return bounded

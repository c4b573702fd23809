"""The process-wide hub that fans a plan's live messages out to its open streams.

Writes publish from synchronous code, in whichever thread committed them; streams are async,
on the server's event loop. The hub hands each message to that loop with
`call_soon_threadsafe`, into a bounded queue per stream. A stream that falls too far behind
is dropped (its browser reconnects and catches up from the database) rather than ever
making the writer wait.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass
from typing import Any, Literal

from django.conf import settings

logger = logging.getLogger(__name__)

# Messages a stream may lag behind before it is dropped; presence never counts twice.
QUEUE_SIZE = 256


def heartbeat_seconds() -> float:
    """Seconds between a stream's heartbeats (its keep-alive, presence refresh and catch-up)."""
    return float(getattr(settings, "LIVE_HEARTBEAT_SECONDS", 15.0))


MessageKind = Literal["activity", "presence", "resync"]


@dataclass(frozen=True, slots=True)
class Message:
    """`activity`: an event as `history.record` publishes it; `presence`: the viewer list;
    `resync`: events may have been missed (the broadcast was down), look in the database."""

    kind: MessageKind
    data: dict[str, Any]


RESYNC = Message("resync", {})


class Subscription:
    """One stream's queue. Filled only on its event loop's thread, read by the stream."""

    __slots__ = ("plan_id", "loop", "queue", "dropped", "_presence", "_presence_queued")

    def __init__(self, plan_id: int, loop: asyncio.AbstractEventLoop, size: int) -> None:
        self.plan_id = plan_id
        self.loop = loop
        self.queue: asyncio.Queue[Message] = asyncio.Queue(maxsize=size)
        self.dropped = False
        self._presence: dict[str, Any] = {}
        self._presence_queued = False

    def offer(self, message: Message) -> bool:
        """Queue `message`; False when the queue is full, which drops this stream."""
        if self.dropped:
            return False
        if message.kind == "presence":
            # Only the latest viewer list matters: keep one presence message in the queue.
            self._presence = message.data
            if self._presence_queued:
                return True
            self._presence_queued = True
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            self.dropped = True
            return False
        return True

    async def get(self) -> Message:
        """The next message for this stream, waiting for one."""
        message = await self.queue.get()
        if message.kind == "presence":
            self._presence_queued = False
            return Message("presence", self._presence)
        return message


class Hub:
    """Subscriptions by plan; `publish` may be called from any thread."""

    def __init__(self, queue_size: int = QUEUE_SIZE) -> None:
        self.queue_size = queue_size
        self._lock = threading.Lock()
        self._plans: dict[int, set[Subscription]] = {}

    def subscribe(self, plan_id: int) -> Subscription:
        """A new subscription fed on the running event loop."""
        sub = Subscription(plan_id, asyncio.get_running_loop(), self.queue_size)
        with self._lock:
            self._plans.setdefault(plan_id, set()).add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        """Forget `sub` (a stream that ended, or fell behind)."""
        with self._lock:
            subs = self._plans.get(sub.plan_id)
            if subs is not None:
                subs.discard(sub)
                if not subs:
                    del self._plans[sub.plan_id]

    def subscriber_count(self, plan_id: int | None = None) -> int:
        """Open subscriptions of one plan, or of all plans."""
        with self._lock:
            if plan_id is not None:
                return len(self._plans.get(plan_id, ()))
            return sum(len(subs) for subs in self._plans.values())

    def publish(self, plan_id: int, message: Message) -> None:
        """Hand `message` to every stream of the plan; never blocks on a stream."""
        with self._lock:
            subs = list(self._plans.get(plan_id, ()))
        self._send(subs, message)

    def publish_all(self, message: Message) -> None:
        """Hand `message` to every stream of every plan (a resync after an outage)."""
        with self._lock:
            subs = [sub for group in self._plans.values() for sub in group]
        self._send(subs, message)

    def _send(self, subs: list[Subscription], message: Message) -> None:
        by_loop: dict[asyncio.AbstractEventLoop, list[Subscription]] = {}
        for sub in subs:
            by_loop.setdefault(sub.loop, []).append(sub)
        for loop, group in by_loop.items():
            try:
                # One wake-up of the loop per message, however many streams it serves.
                loop.call_soon_threadsafe(self._deliver, group, message)
            except RuntimeError:
                # The loop is closed, so these streams are gone.
                for sub in group:
                    self.unsubscribe(sub)

    def _deliver(self, group: list[Subscription], message: Message) -> None:
        for sub in group:
            if not sub.dropped and not sub.offer(message):
                self.unsubscribe(sub)
                logger.info("live: dropped a stream of plan %s that fell behind", sub.plan_id)

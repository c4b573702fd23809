"""The process-wide hub that fans a plan's live events out to its open streams.

Writes publish from synchronous code, in whichever thread committed them; streams are async,
on the server's event loop. The hub hands each message to that loop with
`call_soon_threadsafe`, into a bounded queue per stream. A stream that falls too far behind
is dropped (its browser reconnects and catches up from the database) rather than ever
making the writer wait.

Without `settings.REDIS_URL` the hub is all there is: one process. With it, events and
presence go through Redis (`mutualplan.live.redis_relay`) and every process feeds its own hub.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from django.conf import settings

logger = logging.getLogger(__name__)

# Messages a stream may lag behind before it is dropped; presence never counts twice.
QUEUE_SIZE = 256
# Joins and leaves within this many seconds go out as one presence message.
PRESENCE_DELAY = 0.1


def heartbeat_seconds() -> float:
    """Seconds between a stream's heartbeats (its keep-alive, presence refresh and catch-up)."""
    return float(getattr(settings, "LIVE_HEARTBEAT_SECONDS", 15.0))


MessageKind = Literal["activity", "presence", "resync"]


@dataclass(frozen=True, slots=True)
class Message:
    """`activity`: an event as `history.record` publishes it; `presence`: the viewer list;
    `resync`: events may have been missed (Redis came back), look in the database."""

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
        with self._lock:
            subs = self._plans.get(sub.plan_id)
            if subs is not None:
                subs.discard(sub)
                if not subs:
                    del self._plans[sub.plan_id]

    def subscriber_count(self, plan_id: int | None = None) -> int:
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


@dataclass(frozen=True, slots=True)
class Viewer:
    """One open stream: who is looking at the plan."""

    kind: Literal["seller", "buyer"]
    name: str
    id: str = field(default_factory=lambda: uuid.uuid4().hex)


def presence_payload(viewers: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """The viewer list as streams send it: one entry per (kind, name) with its count."""
    counts = Counter(viewers)
    ordered = sorted(counts.items(), key=lambda item: (item[0][0] != "seller", item[0][1].lower()))
    return {
        "viewers": [{"kind": kind, "name": name, "count": n} for (kind, name), n in ordered],
        "total": sum(counts.values()),
    }


class PresenceCoalescer:
    """Collapses a burst of joins and leaves of a plan into one flush, per event loop."""

    def __init__(self, flush: Callable[[int], Coroutine[Any, Any, None]], delay: float) -> None:
        self._flush = flush
        self._delay = delay
        self._pending: set[tuple[asyncio.AbstractEventLoop, int]] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    def changed(self, plan_id: int) -> None:
        """Call on the event loop that should run the flush."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # a stream finalized outside its loop: nobody left to tell
            return
        key = (loop, plan_id)
        if key not in self._pending:
            self._pending.add(key)
            loop.call_later(self._delay, self._start, key)

    def _start(self, key: tuple[asyncio.AbstractEventLoop, int]) -> None:
        self._pending.discard(key)
        task = key[0].create_task(self._flush(key[1]))
        self._tasks.add(task)  # a reference, so the task is not collected mid-flight
        task.add_done_callback(self._tasks.discard)


class Broadcaster:
    """Live events and presence within this one process."""

    redis_url = ""

    def __init__(self) -> None:
        self.hub = Hub()
        self._lock = threading.Lock()
        self._viewers: dict[int, dict[str, Viewer]] = {}
        self.presence = PresenceCoalescer(self._flush_presence, PRESENCE_DELAY)

    def publish(self, plan_id: int, event: dict[str, Any]) -> None:
        """Deliver one activity event to the plan's streams (sync, any thread)."""
        self.hub.publish(plan_id, Message("activity", event))

    async def ready(self) -> None:
        """Return once events published from now on will reach this loop's streams."""

    async def join(self, plan_id: int, viewer: Viewer) -> None:
        with self._lock:
            self._viewers.setdefault(plan_id, {})[viewer.id] = viewer
        self.presence.changed(plan_id)

    async def leave(self, plan_id: int, viewer: Viewer) -> None:
        with self._lock:
            viewers = self._viewers.get(plan_id, {})
            viewers.pop(viewer.id, None)
            if not viewers:
                self._viewers.pop(plan_id, None)
        self.presence.changed(plan_id)

    async def refresh(self, plan_id: int, viewer: Viewer) -> None:
        """Say the viewer is still there (kept in memory, nothing to refresh)."""

    async def aclose(self) -> None:
        """Stop this loop's background work (tests; a server just exits)."""

    def viewers(self, plan_id: int) -> list[tuple[str, str]]:
        with self._lock:
            return [(v.kind, v.name) for v in self._viewers.get(plan_id, {}).values()]

    async def _flush_presence(self, plan_id: int) -> None:
        self.hub.publish(plan_id, Message("presence", presence_payload(self.viewers(plan_id))))


_lock = threading.Lock()
_current: Broadcaster | None = None


def get_broadcaster() -> Broadcaster:
    """The process-wide broadcaster for the configured `REDIS_URL` (in memory when unset)."""
    global _current
    url = settings.REDIS_URL or ""
    current = _current
    if current is not None and current.redis_url == url:
        return current
    with _lock:
        if _current is None or _current.redis_url != url:
            if url:
                from mutualplan.live.redis_relay import RedisBroadcaster

                _current = RedisBroadcaster(url)
            else:
                _current = Broadcaster()
        return _current


def publish(plan_id: int, event: dict[str, Any]) -> None:
    """Send one committed activity's event to every viewer of the plan, in every process."""
    get_broadcaster().publish(plan_id, event)

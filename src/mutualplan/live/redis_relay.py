"""Live events and presence across server processes, through Redis pub/sub.

Each committed write PUBLISHes its event on the plan's channel. Each process keeps ONE
subscriber per event loop (a pattern subscription to every plan channel, shared by all the
streams of that loop) that feeds the local hub, and one small command pool for presence; both
are opened by the first stream and closed shortly after the last one ends.

Presence is a hash per plan with one field per open stream, each carrying its own expiry time
that the stream's heartbeats push forward, plus a "presence changed" message on the plan's
channel.

Redis failing never fails a write, and is noticed within seconds: the subscriber pings Redis
whenever it has been quiet and gives the connection up when nothing answers (a killed Redis
refuses at once; a frozen one stays silent). While it is down the event still reaches this
process's streams, every stream reads the activity table instead of waiting for events, and
when the subscription is back every stream looks for what it missed (a resync).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import logging
import math
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import redis
import redis.asyncio as aioredis

from mutualplan.live.hub import RESYNC, Message, heartbeat_seconds
from mutualplan.live.memory import InMemoryBroadcaster
from mutualplan.live.presence import Viewer, presence_payload

logger = logging.getLogger(__name__)

# How long a new stream waits for its process's subscription before going on without it.
CONNECT_WAIT_SECONDS = 2.0
# The subscriber pings Redis after this long without a message...
PING_SECONDS = 1.0
# ...and declares it lost after this long without any answer (a frozen Redis).
SILENCE_SECONDS = 3.0
# Any single Redis call gives up after this long.
TIMEOUT_SECONDS = 1.0
RETRY_MAX_SECONDS = 1.0
# While Redis is known to be down, a write tries it again at most this often.
PROBE_SECONDS = 1.0
# The subscriber and presence pool stay this long after the last stream of a loop ends.
IDLE_CLOSE_SECONDS = 2.0
# Presence commands of one process share at most this many connections.
POOL_SIZE = 4
PRESENCE_CHANGED = json.dumps({"type": "presence"})
# Sent on plan 0's channel: every stream of every process looks in the database.
RESYNC_ALL = json.dumps({"type": "resync"})
REDIS_ERRORS = (redis.RedisError, OSError, TimeoutError)
LISTENER_NAME = "mutualplan-live"
COMMANDS_NAME = "mutualplan-live-presence"
PUBLISHER_NAME = "mutualplan-live-publish"


@dataclass
class _LoopLink:
    """The Redis clients and subscriber task of one event loop (asyncio clients are per loop)."""

    commands: aioredis.Redis
    connected: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None
    streams: int = 0
    idle_check: asyncio.TimerHandle | None = None


class RedisBroadcaster(InMemoryBroadcaster):
    """Every process's hub fed from Redis pub/sub; presence kept in Redis."""

    needs_redis_url = True

    def __init__(self, url: str) -> None:
        super().__init__()
        self.redis_url = url
        self._sync = redis.Redis.from_url(
            url,
            socket_timeout=TIMEOUT_SECONDS,
            socket_connect_timeout=TIMEOUT_SECONDS,
            client_name=f"{PUBLISHER_NAME}:{os.getpid()}",
        )
        db = self._sync.connection_pool.connection_kwargs.get("db", 0)
        # Pub/sub ignores the database number: name it in the channels, so installations
        # sharing one Redis server on different databases do not hear each other.
        self.prefix = f"mutualplan:{db}:"
        self._links: dict[asyncio.AbstractEventLoop, _LoopLink] = {}
        self._links_lock = threading.Lock()
        # Set while Redis is known to be down (by a failed publish or the subscriber).
        self._down = False
        self._last_probe = 0.0
        self._closing: set[asyncio.Task[None]] = set()

    @property
    def connected(self) -> bool:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return not self._down
        link = self._links.get(loop)
        return link is not None and link.connected.is_set()

    def channel(self, plan_id: int) -> str:
        return f"{self.prefix}plan:{plan_id}"

    def presence_key(self, plan_id: int) -> str:
        return f"{self.prefix}presence:{plan_id}"

    def publish(self, plan_id: int, event: dict[str, Any]) -> None:
        """PUBLISH the event to every process; with Redis down, to this process's streams."""
        now = time.monotonic()
        # Known down: probe at most once per PROBE_SECONDS, so writes don't each wait on it;
        # the subscriber clears the flag the moment it is back.
        if not self._down or now - self._last_probe >= PROBE_SECONDS:
            self._last_probe = now
            payload = json.dumps({"type": "activity", "event": event})
            try:
                self._sync.publish(self.channel(plan_id), payload)
                if self._down:
                    # Events this process kept to itself meanwhile: every process looks.
                    self._sync.publish(self.channel(0), RESYNC_ALL)
                    self._mark_up("a write reached it")
                return
            except REDIS_ERRORS as exc:
                self._mark_down(f"a write could not publish: {exc}")
        super().publish(plan_id, event)

    def _mark_down(self, why: str) -> None:
        if not self._down:
            self._down = True
            logger.warning(
                "live: lost Redis (%s); events reach this process's viewers, the others read "
                "the database until it is restored",
                why,
            )

    def _mark_up(self, why: str) -> None:
        if self._down:
            self._down = False
            logger.warning("live: Redis restored (%s)", why)

    async def ready(self) -> None:
        """Open (or reuse) this loop's subscription, waiting briefly for it."""
        link = self._link()
        if not link.connected.is_set():
            # Without the subscription a stream would miss events; it goes on anyway and
            # reads the database until the subscriber is back (then a resync).
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(CONNECT_WAIT_SECONDS):
                    await link.connected.wait()

    async def join(self, plan_id: int, viewer: Viewer) -> None:
        link = self._link()
        link.streams += 1
        await self._write_presence(plan_id, viewer, present=True)

    async def leave(self, plan_id: int, viewer: Viewer) -> None:
        link = self._link()
        try:
            await self._write_presence(plan_id, viewer, present=False)
        finally:
            link.streams = max(0, link.streams - 1)
            self._schedule_idle_close(link)

    async def refresh(self, plan_id: int, viewer: Viewer) -> None:
        """Push the viewer's expiry forward and clear viewers whose process went away."""
        commands = self._link().commands
        key = self.presence_key(plan_id)
        try:
            async with commands.pipeline(transaction=False) as pipe:
                pipe.hset(key, viewer.id, self._entry(viewer))
                pipe.expire(key, self._key_ttl())
                pipe.hgetall(key)
                added, _, entries = await pipe.execute()
            now = time.time()
            stale = [field for field, raw in entries.items() if _until(raw) < now]
            if stale:
                await commands.hdel(key, *stale)
            if stale or added:
                await commands.publish(self.channel(plan_id), PRESENCE_CHANGED)
        except REDIS_ERRORS as exc:
            logger.debug("live: presence refresh failed: %s", exc)

    async def aclose(self) -> None:
        """Close this loop's subscriber and pool (tests; the last stream's end does it too)."""
        loop = asyncio.get_running_loop()
        with self._links_lock:
            link = self._links.pop(loop, None)
        if link is not None:
            await self._close_link(link)

    async def _close_link(self, link: _LoopLink) -> None:
        if link.idle_check is not None:
            link.idle_check.cancel()
        if link.task is not None:
            link.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await link.task
        with contextlib.suppress(*REDIS_ERRORS):
            await link.commands.aclose()
            await link.commands.connection_pool.disconnect()

    def _schedule_idle_close(self, link: _LoopLink) -> None:
        """Close the loop's link if no stream uses it IDLE_CLOSE_SECONDS from now: no Redis
        connection outlives the streams."""
        if link.streams or link.idle_check is not None:
            return
        loop = asyncio.get_running_loop()

        def check() -> None:
            link.idle_check = None
            if link.streams:
                return  # its last stream's leave checks again
            if self.hub.subscriber_count():
                # Subscribed without a viewer yet (a stream starting): look again later.
                link.idle_check = loop.call_later(IDLE_CLOSE_SECONDS, check)
                return
            with self._links_lock:
                if self._links.get(loop) is not link:
                    return
                del self._links[loop]
            task = loop.create_task(self._close_link(link), context=contextvars.Context())
            self._closing.add(task)  # a reference, so the task is not collected mid-flight
            task.add_done_callback(self._closing.discard)

        link.idle_check = loop.call_later(IDLE_CLOSE_SECONDS, check)

    def _link(self) -> _LoopLink:
        loop = asyncio.get_running_loop()
        with self._links_lock:
            link = self._links.get(loop)
            if link is None:
                for old in [old for old in self._links if old.is_closed()]:
                    del self._links[old]
                pool = aioredis.BlockingConnectionPool.from_url(
                    self.redis_url,
                    max_connections=POOL_SIZE,
                    timeout=TIMEOUT_SECONDS,
                    socket_timeout=TIMEOUT_SECONDS,
                    socket_connect_timeout=TIMEOUT_SECONDS,
                    client_name=f"{COMMANDS_NAME}:{os.getpid()}",
                )
                link = _LoopLink(commands=aioredis.Redis(connection_pool=pool))
                self._links[loop] = link
                # A fresh context: the task outlives the request whose stream started it.
                link.task = loop.create_task(self._relay(link), context=contextvars.Context())
        # Whoever opened it, a link no stream uses closes: no connection is opened for ever.
        self._schedule_idle_close(link)
        return link

    async def _relay(self, link: _LoopLink) -> None:
        """Feed this loop's hub from Redis until cancelled, reconnecting after failures."""
        delay = 0.1
        lost = False
        while True:
            listener = aioredis.Redis.from_url(
                self.redis_url,
                socket_timeout=TIMEOUT_SECONDS,
                socket_connect_timeout=TIMEOUT_SECONDS,
                # Named, so `CLIENT LIST` tells which process a subscriber is.
                client_name=f"{LISTENER_NAME}:{os.getpid()}",
            )
            pubsub = listener.pubsub()
            try:
                async with asyncio.timeout(2 * TIMEOUT_SECONDS):
                    await pubsub.psubscribe(f"{self.prefix}plan:*")
                await self._listen(link, pubsub, restored=lost)
            except Exception as exc:
                if link.connected.is_set() or not lost:
                    lost = True
                    link.connected.clear()
                    self._mark_down(f"the subscription failed: {type(exc).__name__}: {exc}")
                    if not isinstance(exc, REDIS_ERRORS):
                        logger.exception("live: the Redis subscriber failed; restarting it")
                    # Read the database now: events may have gone out while it failed.
                    self.hub.publish_all(RESYNC)
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY_MAX_SECONDS)
            else:
                delay = 0.1
            finally:
                with contextlib.suppress(*REDIS_ERRORS):
                    await pubsub.aclose()
                with contextlib.suppress(*REDIS_ERRORS):
                    await listener.aclose()
                    await listener.connection_pool.disconnect()

    async def _listen(self, link: _LoopLink, pubsub: Any, restored: bool) -> None:
        """Read messages until Redis fails or falls silent (raises then)."""
        heard = time.monotonic()
        pinged = False
        while True:
            message = await pubsub.get_message(timeout=PING_SECONDS)
            now = time.monotonic()
            if message is None:
                if now - heard > SILENCE_SECONDS:
                    raise TimeoutError(f"no answer from Redis for {SILENCE_SECONDS:.0f} s")
                if not pinged or now - heard > PING_SECONDS:
                    async with asyncio.timeout(TIMEOUT_SECONDS):
                        await pubsub.ping()
                    pinged = True
                continue
            heard, pinged = now, False
            kind = message["type"]
            if kind == "psubscribe":
                link.connected.set()
                self._mark_up("the subscription is back")
                if restored:
                    logger.warning("live: Redis subscription restored; streams catch up")
                    # Events published meanwhile never came: streams look them up.
                    self.hub.publish_all(RESYNC)
                    restored = False
            elif kind == "pmessage":
                self._receive(message["channel"], message["data"])

    def _receive(self, channel: bytes, data: bytes) -> None:
        try:
            plan_id = int(channel.rsplit(b":", 1)[1])
            payload = json.loads(data)
            kind = payload["type"]
        except (ValueError, IndexError, KeyError, TypeError):
            logger.warning("live: ignored a malformed message on %r", channel)
            return
        if kind == "activity":
            self.hub.publish(plan_id, Message("activity", payload["event"]))
        elif kind == "presence":
            self.presence.changed(plan_id)
        elif kind == "resync":
            self.hub.publish_all(RESYNC)

    def _entry(self, viewer: Viewer) -> str:
        until = time.time() + 3 * heartbeat_seconds()
        return json.dumps({"kind": viewer.kind, "name": viewer.name, "until": until})

    def _key_ttl(self) -> int:
        # The whole hash outlives any one entry, so a plan nobody watches leaves no key behind.
        return math.ceil(6 * heartbeat_seconds())

    async def _write_presence(self, plan_id: int, viewer: Viewer, present: bool) -> None:
        key = self.presence_key(plan_id)
        try:
            async with self._link().commands.pipeline(transaction=False) as pipe:
                if present:
                    pipe.hset(key, viewer.id, self._entry(viewer))
                    pipe.expire(key, self._key_ttl())
                else:
                    pipe.hdel(key, viewer.id)
                pipe.publish(self.channel(plan_id), PRESENCE_CHANGED)
                await pipe.execute()
        except REDIS_ERRORS as exc:
            logger.debug("live: presence update failed: %s", exc)

    async def _flush_presence(self, plan_id: int) -> None:
        link = self._links.get(asyncio.get_running_loop())
        if link is None or not self.hub.subscriber_count(plan_id):
            # Nobody here to tell: the last stream ended (and its link may be closed) before
            # this flush, asked for by another process's viewers leaving, came round.
            return
        try:
            entries = await link.commands.hgetall(self.presence_key(plan_id))
        except REDIS_ERRORS as exc:
            logger.debug("live: presence read failed: %s", exc)
            return
        now = time.time()
        viewers = []
        for raw in entries.values():
            entry = _decode(raw)
            if entry is not None and entry["until"] >= now:
                viewers.append((str(entry["kind"]), str(entry["name"])))
        self.hub.publish(plan_id, Message("presence", presence_payload(viewers)))


def _decode(raw: bytes | str) -> dict[str, Any] | None:
    try:
        entry = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(entry, dict) or not isinstance(entry.get("until"), int | float):
        return None
    return entry if {"kind", "name"} <= entry.keys() else None


def _until(raw: bytes | str) -> float:
    entry = _decode(raw)
    return float(entry["until"]) if entry is not None else 0.0

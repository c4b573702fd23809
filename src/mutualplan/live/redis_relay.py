"""Live events and presence across server processes, through Redis pub/sub.

Each committed write PUBLISHes its event on the plan's channel; each process runs one
subscriber task per event loop (a pattern subscription to every plan channel) that feeds its
local hub. Presence is a hash per plan with one field per open stream, each carrying its own
expiry time that the stream's heartbeats push forward, plus a "presence changed" message on
the plan's channel.

Redis being down never fails a write: the event still reaches this process's streams, and
the others catch up from the database, on their next heartbeat or as soon as their
subscriber is back.
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
from dataclasses import dataclass
from typing import Any

import redis
import redis.asyncio as aioredis

from mutualplan.live.broadcast import (
    RESYNC,
    Broadcaster,
    Message,
    Viewer,
    heartbeat_seconds,
    presence_payload,
)

logger = logging.getLogger(__name__)

# After a failed PUBLISH, writes skip Redis for this long instead of each waiting on it.
BREAKER_SECONDS = 5.0
# How long a new stream waits for its process's subscription before going on without it.
CONNECT_WAIT_SECONDS = 2.0
RETRY_MAX_SECONDS = 5.0
PRESENCE_CHANGED = json.dumps({"type": "presence"})
REDIS_ERRORS = (redis.RedisError, OSError)
LISTENER_NAME = "mutualplan-live"


@dataclass
class _LoopLink:
    """The Redis clients and subscriber task of one event loop (asyncio clients are per loop)."""

    commands: aioredis.Redis
    listener: aioredis.Redis
    connected: asyncio.Event
    task: asyncio.Task[None] | None = None


class RedisBroadcaster(Broadcaster):
    def __init__(self, url: str) -> None:
        super().__init__()
        self.redis_url = url
        self._sync = redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
        db = self._sync.connection_pool.connection_kwargs.get("db", 0)
        # Pub/sub ignores the database number: name it in the channels, so installations
        # sharing one Redis server on different databases do not hear each other.
        self.prefix = f"mutualplan:{db}:"
        self._links: dict[asyncio.AbstractEventLoop, _LoopLink] = {}
        self._links_lock = threading.Lock()
        self._down_until = 0.0

    def channel(self, plan_id: int) -> str:
        return f"{self.prefix}plan:{plan_id}"

    def presence_key(self, plan_id: int) -> str:
        return f"{self.prefix}presence:{plan_id}"

    def publish(self, plan_id: int, event: dict[str, Any]) -> None:
        if time.monotonic() >= self._down_until:
            payload = json.dumps({"type": "activity", "event": event})
            try:
                self._sync.publish(self.channel(plan_id), payload)
                return
            except REDIS_ERRORS as exc:
                self._down_until = time.monotonic() + BREAKER_SECONDS
                logger.warning(
                    "live: cannot publish to Redis (%s); for %.0f s events reach only this "
                    "process's viewers, the others catch up from the database",
                    exc,
                    BREAKER_SECONDS,
                )
        super().publish(plan_id, event)

    async def ready(self) -> None:
        link = self._link()
        if not link.connected.is_set():
            # Without the subscription a stream would miss events; it goes on anyway and
            # catches up from the database once the subscriber is back (a resync).
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(CONNECT_WAIT_SECONDS):
                    await link.connected.wait()

    async def join(self, plan_id: int, viewer: Viewer) -> None:
        await self._write_presence(plan_id, viewer, present=True)

    async def leave(self, plan_id: int, viewer: Viewer) -> None:
        await self._write_presence(plan_id, viewer, present=False)

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
        loop = asyncio.get_running_loop()
        with self._links_lock:
            link = self._links.pop(loop, None)
        if link is None:
            return
        if link.task is not None:
            link.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await link.task
        await link.commands.aclose()
        await link.listener.aclose()

    def _link(self) -> _LoopLink:
        loop = asyncio.get_running_loop()
        with self._links_lock:
            link = self._links.get(loop)
            if link is None:
                for old in [old for old in self._links if old.is_closed()]:
                    del self._links[old]
                link = _LoopLink(
                    commands=aioredis.Redis.from_url(
                        self.redis_url, socket_timeout=1.0, socket_connect_timeout=1.0
                    ),
                    # No read timeout: the subscription waits for messages indefinitely.
                    listener=aioredis.Redis.from_url(
                        self.redis_url,
                        socket_connect_timeout=1.0,
                        socket_keepalive=True,
                        # Named, so `CLIENT LIST` tells which process a subscriber is.
                        client_name=f"{LISTENER_NAME}:{os.getpid()}",
                    ),
                    connected=asyncio.Event(),
                )
                self._links[loop] = link
                # A fresh context: the task outlives the request whose stream started it.
                link.task = loop.create_task(self._relay(link), context=contextvars.Context())
        return link

    async def _relay(self, link: _LoopLink) -> None:
        """Feed this loop's hub from Redis until cancelled, reconnecting after failures."""
        delay = 0.2
        lost = False
        while True:
            pubsub = link.listener.pubsub()
            try:
                await pubsub.psubscribe(f"{self.prefix}plan:*")
                async for message in pubsub.listen():
                    if message["type"] == "psubscribe":
                        if lost:
                            logger.info("live: Redis subscription restored")
                            # Events published meanwhile never came: streams look them up.
                            self.hub.publish_all(RESYNC)
                        lost, delay = False, 0.2
                        link.connected.set()
                    elif message["type"] == "pmessage":
                        self._receive(message["channel"], message["data"])
            except Exception as exc:
                link.connected.clear()
                if not isinstance(exc, REDIS_ERRORS):
                    logger.exception("live: the Redis subscriber failed; restarting it")
                elif not lost:
                    logger.warning("live: lost the Redis subscription (%s); retrying", exc)
                lost = True
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY_MAX_SECONDS)
            finally:
                with contextlib.suppress(*REDIS_ERRORS):
                    await pubsub.aclose()

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
        try:
            entries = await self._link().commands.hgetall(self.presence_key(plan_id))
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

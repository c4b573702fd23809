"""Server-Sent Events streams of one plan's live changes: the seller's and the buyer's.

Every stream subscribes to the hub first, then replays from the database what the browser
missed (after its `Last-Event-ID`, which names the holes below the highest id it saw:
`live.cursor`), then sends live events, skipping any it already sent: a
change committed at any moment is sent once and never lost. Each heartbeat also looks in the
database for the gaps below what the stream sent (ids it has not seen, not only ids above its
highest), and while the broadcast is down streams look every POLL_SECONDS: a change that
Redis could not carry still arrives, or the page is told to reload.

A buyer's stream never forwards a published event: to it an event only means "read what is
new", which it reads from the database through the buyer read model (`plans.buyer_view`), the
share link checked again on the way.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_GET

from mutualplan.http.database import database_unavailable, log_unavailable
from mutualplan.http.threads import release_request_thread
from mutualplan.live.backends import get_broadcaster
from mutualplan.live.cursor import Cursor
from mutualplan.live.events import HEARTBEAT, RETRY, CatchUp, fetch_catch_up, in_thread, sse
from mutualplan.live.hub import RESYNC, heartbeat_seconds
from mutualplan.live.presence import Viewer
from mutualplan.plans.access import get_plan_for_user, get_share_link
from mutualplan.plans.actors import seller_display_name
from mutualplan.plans.errors import Gone, NotFound

logger = logging.getLogger(__name__)

BUYER_NAME_MAX = 200
# While the broadcast is down (Redis lost), streams read the activity table this often.
POLL_SECONDS = 1.0


class NotSignedIn(Exception):
    pass


@dataclass(frozen=True)
class StreamSpec:
    plan_id: int
    viewer: Viewer
    # Where the page stands (its Last-Event-ID), or None for a fresh page.
    cursor: Cursor | None
    buyer_token: str | None = None


@require_GET
async def plan_events(request: HttpRequest, plan_id: int) -> HttpResponseBase:
    """The seller's stream of a plan of their workspace (session sign-in)."""
    try:
        name = await in_thread(_seller_name)(request, plan_id)
    except NotSignedIn:
        return _plain(401, "sign in to follow this plan")
    except NotFound as exc:
        return _plain(404, exc.detail)
    viewer = Viewer("seller", name)
    return _event_stream(StreamSpec(plan_id, viewer, _cursor(request)))


@require_GET
async def shared_events(request: HttpRequest, token: str) -> HttpResponseBase:
    """The buyer's stream through a share link: buyer events only, ends when revoked."""
    try:
        plan_id = await in_thread(_plan_of_link)(token)
    except NotFound as exc:
        return _plain(404, exc.detail)
    except Gone as exc:
        return _plain(410, exc.detail)
    name = request.GET.get("name", "").strip()[:BUYER_NAME_MAX] or "Buyer"
    viewer = Viewer("buyer", name)
    return _event_stream(StreamSpec(plan_id, viewer, _cursor(request), token))


def _seller_name(request: HttpRequest, plan_id: int) -> str:
    user: Any = request.user  # loads the session: run in a thread, not on the event loop
    if not user.is_authenticated:
        raise NotSignedIn
    get_plan_for_user(user, plan_id)
    # Buyers on the plan see this name in the presence list.
    return seller_display_name(user)


def _plan_of_link(token: str) -> int:
    return get_share_link(token).plan_id


def _cursor(request: HttpRequest) -> Cursor | None:
    """The browser's Last-Event-ID on reconnect (or `?last=`); None for a fresh page."""
    return Cursor.parse(request.headers.get("Last-Event-ID") or request.GET.get("last") or "")


def _plain(status: int, text: str) -> HttpResponse:
    return HttpResponse(f"{text}\n", status=status, content_type="text/plain; charset=utf-8")


def _event_stream(spec: StreamSpec) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_stream(spec), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    # nginx and similar proxies would otherwise buffer the stream.
    response["X-Accel-Buffering"] = "no"
    return response


async def _stream(spec: StreamSpec) -> AsyncIterator[bytes]:
    # The middleware is done with this request: its thread need not wait for hours with it.
    release_request_thread()
    broadcaster = get_broadcaster()
    await broadcaster.ready()
    # Subscribe before reading the database, so no change falls between replay and live.
    sub = broadcaster.hub.subscribe(spec.plan_id)
    state = _StreamState(spec)
    loop = asyncio.get_running_loop()
    try:
        yield RETRY
        await broadcaster.join(spec.plan_id, spec.viewer)
        first = await state.read()
        if spec.cursor is None and not first.link_error:
            yield sse("hello", {"last_id": first.last_id}, first.last_id)
            state.start_at(first.last_id)
        for chunk in state.take(first):
            yield chunk
        beat = heartbeat_seconds()
        next_beat = loop.time() + beat
        while not state.ended:
            # With the broadcast down, events may never come: read the database instead.
            wake = next_beat
            if not broadcaster.connected:
                wake = min(next_beat, loop.time() + POLL_SECONDS)
            message = None
            try:
                async with asyncio.timeout_at(wake):
                    message = await sub.get()
            except TimeoutError:
                pass
            if sub.dropped:
                return  # it fell behind: the browser reconnects and catches up
            if message is None:
                if loop.time() >= next_beat:
                    next_beat = loop.time() + beat
                    yield HEARTBEAT
                    await broadcaster.refresh(spec.plan_id, spec.viewer)
                message = RESYNC
            if message.kind == "resync":
                chunks = state.take(await state.read())
            elif message.kind == "activity":
                chunks = await state.live(message.data)
            else:
                chunks = [sse("presence", message.data)]
            for chunk in chunks:
                yield chunk
    except Exception as exc:
        # Ending the stream is the recovery: the browser reconnects and catches up (and while
        # the database is away, its reconnection gets the 503 of DatabaseUnavailableMiddleware).
        if database_unavailable(exc):
            log_unavailable(exc, f"live stream of plan {spec.plan_id} ended")
        else:
            logger.exception("live: the stream of plan %s failed", spec.plan_id)
    finally:
        broadcaster.hub.unsubscribe(sub)
        await broadcaster.leave(spec.plan_id, spec.viewer)


class _StreamState:
    """What one stream has looked at, and what it must still send or hold back.

    Ids at or below `floor` are settled; above it, `known` holds the ids already sent or held
    back. A database read asks for everything above the floor that is not known, so a lower id
    that arrives late (committed in another process while Redis was down) is still sent.
    The floor moves up to what the read before last saw: a write committing a lower id just
    after a read is still found by the next one.
    """

    def __init__(self, spec: StreamSpec) -> None:
        self.spec = spec
        self.fresh = spec.cursor is None
        self.floor = spec.cursor.floor if spec.cursor else 0
        self._next_floor = self.floor
        self.known: set[int] = set(spec.cursor.known) if spec.cursor else set()
        self.ended = False

    def start_at(self, last_id: int) -> None:
        """A fresh page: everything up to `last_id` is on it already."""
        self.floor = self._next_floor = last_id
        self.fresh = False

    async def read(self) -> CatchUp:
        """The plan's activities this stream has not looked at, from the database."""
        after = None if self.fresh else self.floor
        return await fetch_catch_up(
            self.spec.plan_id, after, self.spec.buyer_token, frozenset(self.known)
        )

    def take(self, result: CatchUp) -> list[bytes]:
        if result.link_error:
            return self._revoked(result.link_error)
        chunks = []
        if result.too_many:
            chunks.append(sse("reload", {"last_id": result.last_id}, result.last_id))
            self.floor = self._next_floor = result.last_id
            self.known.clear()
        # What was looked at and held back (from the buyer) is settled before anything is sent,
        # so the ids sent name no hole where there is none.
        sent = {int(event["id"]) for event in result.events}
        self.known.update(event_id for event_id in result.ids if event_id not in sent)
        for event in result.events:
            chunks.extend(self._send(event))
        self.floor, self._next_floor = self._next_floor, max(self._next_floor, result.last_id)
        self.known = {event_id for event_id in self.known if event_id > self.floor}
        return chunks

    async def live(self, event: dict[str, Any]) -> list[bytes]:
        token = self.spec.buyer_token
        if token is None:
            return self._send(event)
        # A buyer never gets the published (seller's) event: it only says that something
        # happened. The buyer's events are read back through the buyer read model, with the
        # link checked again (a revocation ends the stream at once).
        if self._settled(int(event["id"])):
            return []
        return self.take(await self.read())

    def _settled(self, event_id: int) -> bool:
        return event_id <= self.floor or event_id in self.known

    def _send(self, event: dict[str, Any]) -> list[bytes]:
        event_id = int(event["id"])
        if self._settled(event_id):
            return []
        self.known.add(event_id)
        # The id says where the page stands, holes included, so a reconnect resumes exactly.
        return [sse("activity", event, Cursor(self.floor, frozenset(self.known)).encode())]

    def _revoked(self, detail: str) -> list[bytes]:
        self.ended = True
        return [sse("revoked", {"detail": detail})]

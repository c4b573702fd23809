"""What a live stream sends, and the database reads that let it miss nothing."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

from asgiref.sync import sync_to_async
from django.db import connections
from django.db.models import Max

from mutualplan.plans.access import get_share_link
from mutualplan.plans.buyer_view import ACTIVITY_COLUMNS, buyer_activity, buyer_event
from mutualplan.plans.errors import DomainError
from mutualplan.plans.models import Activity
from mutualplan.plans.services.history import activity_event

# Beyond this many missed activities a stream tells the page to reload the plan instead.
REPLAY_LIMIT = 500
# Ask the browser to reconnect after 2 s when a stream ends (default: about 3 s).
RETRY = b"retry: 2000\n\n"
HEARTBEAT = b": ping\n\n"

P = ParamSpec("P")
R = TypeVar("R")


def sse(event: str, data: dict[str, Any], event_id: int | str | None = None) -> bytes:
    """One Server-Sent Events message; JSON keeps `data` on a single line."""
    head = f"id: {event_id}\n" if event_id is not None else ""
    body = json.dumps(data, separators=(",", ":"))
    return f"{head}event: {event}\ndata: {body}\n\n".encode()


def in_thread(func: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    """Run database work from a stream in a pool thread and hand its connection back at once.

    A stream lasts hours: it must not hold a database connection (or a pooled one) that long,
    nor keep a thread of its own.
    """

    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        finally:
            connections.close_all()

    return sync_to_async(run, thread_sensitive=False)


@dataclass
class CatchUp:
    """Activities a stream has not looked at yet, and whether the buyer's link still works."""

    events: list[dict[str, Any]] = field(default_factory=list)
    # The ids of every activity looked at (sent, or held back from the buyer).
    ids: list[int] = field(default_factory=list)
    # The highest activity id looked at.
    last_id: int = 0
    # More than REPLAY_LIMIT were missed: the page should reload the plan from `last_id`.
    too_many: bool = False
    link_error: str | None = None


def link_error(token: str, plan_id: int) -> str | None:
    """Why the buyer's link no longer gives this plan, or None while it does."""
    try:
        link = get_share_link(token)
    except DomainError as exc:
        return exc.detail
    return None if link.plan_id == plan_id else "this link does not exist"


def _last_activity_id(plan_id: int) -> int:
    found = Activity.objects.filter(plan_id=plan_id).aggregate(last=Max("id"))["last"]
    return int(found or 0)


def catch_up(
    plan_id: int,
    after: int | None,
    buyer_token: str | None,
    known: frozenset[int] = frozenset(),
) -> CatchUp:
    """The plan's activities after id `after` that are not in `known` (with None: none, only
    the latest id), as live events: the seller's, or (with `buyer_token`, the link checked
    first) the buyer's.

    Streams ask from the lowest id they may have missed and name what they already have
    above it: catching up fills gaps (a lower id committed in another process while the
    broadcast was down), which a high-water mark would step over.
    """
    result = CatchUp(last_id=after or 0)
    if buyer_token is not None:
        result.link_error = link_error(buyer_token, plan_id)
        if result.link_error:
            return result
    if after is None:
        result.last_id = _last_activity_id(plan_id)
        return result
    rows = [
        row
        for row in Activity.objects.filter(plan_id=plan_id, id__gt=after)
        .only("summary", *ACTIVITY_COLUMNS)
        .order_by("id")[: REPLAY_LIMIT + 1 + len(known)]
        if row.id not in known
    ]
    if len(rows) > REPLAY_LIMIT:
        result.too_many = True
        result.last_id = _last_activity_id(plan_id)
        return result
    if buyer_token is None:
        result.events = [activity_event(row) for row in rows]
    else:
        # The buyer's events are made from the buyer read model, not filtered from the seller's.
        told = (buyer_activity(row) for row in rows)
        result.events = [buyer_event(activity) for activity in told if activity is not None]
    result.ids = [row.id for row in rows]
    result.last_id = max([after, *result.ids])
    return result


fetch_catch_up = in_thread(catch_up)

"""Live events: each accepted write publishes one event for the plan after it commits.

The event goes to the live-update broadcaster (`mutualplan.live.broadcast`: the open streams
of this process, or of every process through Redis) and to any listener registered here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction

from mutualplan.live import broadcast

logger = logging.getLogger(__name__)

Listener = Callable[[int, dict[str, Any]], None]
_listeners: list[Listener] = []


def subscribe(listener: Listener) -> None:
    _listeners.append(listener)


def unsubscribe(listener: Listener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def publish(plan_id: int, event: dict[str, Any]) -> None:
    """Deliver `event` to the plan's viewers and every listener once the current transaction
    has committed; a rolled-back write publishes nothing."""

    def deliver() -> None:
        # The write is committed whatever happens here: a failure is logged, never raised.
        try:
            broadcast.publish(plan_id, event)
        except Exception:
            logger.exception("live: could not publish an event of plan %s", plan_id)
        for listener in list(_listeners):
            try:
                listener(plan_id, event)
            except Exception:
                logger.exception("live: a listener failed on an event of plan %s", plan_id)

    transaction.on_commit(deliver)

"""The publish hook of live events: each accepted write publishes one event for the plan
after it commits, to every listener subscribed here.

`plans` knows nothing of how events travel: the live app (`mutualplan.live`) subscribes its
broadcaster in `AppConfig.ready()`, and anything else may listen the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)

Listener = Callable[[int, dict[str, Any]], None]
_listeners: list[Listener] = []


def subscribe(listener: Listener) -> None:
    """Call `listener(plan_id, event)` after each committed write (once, however often asked)."""
    if listener not in _listeners:
        _listeners.append(listener)


def unsubscribe(listener: Listener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def publish(plan_id: int, event: dict[str, Any]) -> None:
    """Deliver `event` to every listener once the current transaction has committed; a
    rolled-back write publishes nothing."""

    def deliver() -> None:
        # The write is committed whatever happens here: a failure is logged, never raised,
        # and never keeps the event from the other listeners.
        for listener in list(_listeners):
            try:
                listener(plan_id, event)
            except Exception:
                logger.exception("live: a listener failed on an event of plan %s", plan_id)

    transaction.on_commit(deliver)

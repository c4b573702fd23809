"""Live events: each accepted write publishes one event for the plan after it commits.

Subscribers (the live-update channel of the web app) register a callback; with none
registered, publishing is free.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction

Listener = Callable[[int, dict[str, Any]], None]
_listeners: list[Listener] = []


def subscribe(listener: Listener) -> None:
    _listeners.append(listener)


def unsubscribe(listener: Listener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def publish(plan_id: int, event: dict[str, Any]) -> None:
    """Deliver `event` to every listener once the current transaction has committed."""
    if not _listeners:
        return

    def deliver() -> None:
        for listener in list(_listeners):
            listener(plan_id, event)

    transaction.on_commit(deliver)

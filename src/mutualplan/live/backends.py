"""The one place that knows the live backends and picks the configured one.

`settings.LIVE_BACKEND` is a dotted path to a broadcaster class, as Channels' `CHANNEL_LAYERS`
names its layer; empty means "in memory, or Redis when `REDIS_URL` is set". A class whose
constructor takes the Redis URL says so with `needs_redis_url = True`.
"""

from __future__ import annotations

import threading
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from mutualplan.live.memory import InMemoryBroadcaster

IN_MEMORY = "mutualplan.live.memory.InMemoryBroadcaster"
REDIS = "mutualplan.live.redis_relay.RedisBroadcaster"

_lock = threading.Lock()
_current: tuple[tuple[str, str], InMemoryBroadcaster] | None = None


def backend_path() -> str:
    """The dotted path of the configured broadcaster class."""
    configured = str(getattr(settings, "LIVE_BACKEND", "") or "")
    return configured or (REDIS if settings.REDIS_URL else IN_MEMORY)


def _build(path: str, url: str) -> InMemoryBroadcaster:
    try:
        cls = import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(f"MUTUALPLAN_LIVE_BACKEND: cannot import {path!r}") from exc
    if getattr(cls, "needs_redis_url", False):
        if not url:
            raise ImproperlyConfigured(f"{path} needs MUTUALPLAN_REDIS_URL")
        return cls(url)
    return cls()


def get_broadcaster() -> InMemoryBroadcaster:
    """The process-wide broadcaster of the configured backend (rebuilt when settings change,
    which only tests do)."""
    global _current
    key = (backend_path(), settings.REDIS_URL or "")
    current = _current
    if current is not None and current[0] == key:
        return current[1]
    with _lock:
        if _current is None or _current[0] != key:
            _current = (key, _build(*key))
        return _current[1]


def publish(plan_id: int, event: dict[str, Any]) -> None:
    """Send one committed activity's event to every viewer of the plan, in every process."""
    get_broadcaster().publish(plan_id, event)

"""The in-memory broadcaster: live events and presence within one server process."""

from __future__ import annotations

import threading
from typing import Any

from mutualplan.live.hub import Hub, Message
from mutualplan.live.presence import PRESENCE_DELAY, PresenceCoalescer, Viewer, presence_payload


class InMemoryBroadcaster:
    """Live events and presence within this one process; the base of the other backends."""

    def __init__(self) -> None:
        self.hub = Hub()
        self._lock = threading.Lock()
        self._viewers: dict[int, dict[str, Viewer]] = {}
        self.presence = PresenceCoalescer(self._flush_presence, PRESENCE_DELAY)

    @property
    def connected(self) -> bool:
        """Whether every event published anywhere reaches this process's hub right now.

        In one process it always does; a relay that is down says False, and its streams then
        read the activity table instead of waiting for events that cannot come.
        """
        return True

    def publish(self, plan_id: int, event: dict[str, Any]) -> None:
        """Deliver one activity event to the plan's streams (sync, any thread)."""
        self.hub.publish(plan_id, Message("activity", event))

    async def ready(self) -> None:
        """Return once events published from now on will reach this loop's streams."""

    async def join(self, plan_id: int, viewer: Viewer) -> None:
        """A stream opened: list its viewer."""
        with self._lock:
            self._viewers.setdefault(plan_id, {})[viewer.id] = viewer
        self.presence.changed(plan_id)

    async def leave(self, plan_id: int, viewer: Viewer) -> None:
        """A stream ended: take its viewer off the list."""
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
        """The (kind, name) of every viewer of the plan."""
        with self._lock:
            return [(v.kind, v.name) for v in self._viewers.get(plan_id, {}).values()]

    async def _flush_presence(self, plan_id: int) -> None:
        self.hub.publish(plan_id, Message("presence", presence_payload(self.viewers(plan_id))))

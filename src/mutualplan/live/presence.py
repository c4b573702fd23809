"""Who is looking at a plan: one `Viewer` per open stream, listed by kind and name."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

# Joins and leaves within this many seconds go out as one presence message.
PRESENCE_DELAY = 0.1


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

"""Where a stream stands, written into each event's SSE `id`, so a reconnect resumes exactly.

A browser sends back only the last `id` it received (`Last-Event-ID`). A bare highest id is
not enough: below it there may be ids the stream has not seen yet (a change committed late in
another process while Redis was down), and a reconnect from the highest id would step over
them. So the id names the highest id seen and the holes below it that are still open:
`"1207"` when there are none, `"1207;1190-1199,1203"` when there are.
"""

from __future__ import annotations

from dataclasses import dataclass

from mutualplan.plans.access import MAX_ID

# Beyond this many holes an id names only the floor: the reconnect may then send again what
# the page already has, which it ignores, but never skips anything.
MAX_HOLES = 100
# A cursor naming a span wider than this resumes from its floor (bounded work per reconnect).
MAX_SPAN = 20_000


@dataclass(frozen=True)
class Cursor:
    """Every id at or below `floor` is settled; above it, `known` ids are settled too."""

    floor: int
    known: frozenset[int] = frozenset()

    def encode(self) -> str:
        above = sorted(i for i in self.known if i > self.floor)
        if not above:
            return str(self.floor)
        holes: list[tuple[int, int]] = []
        previous = self.floor
        for event_id in above:
            if event_id > previous + 1:
                holes.append((previous + 1, event_id - 1))
            previous = event_id
        if not holes:
            return str(above[-1])
        if len(holes) > MAX_HOLES:
            return str(self.floor)
        spans = ",".join(str(a) if a == b else f"{a}-{b}" for a, b in holes)
        return f"{above[-1]};{spans}"

    @classmethod
    def parse(cls, raw: str) -> Cursor | None:
        """The cursor in a `Last-Event-ID`; None when it is not one (a fresh start)."""
        head, semicolon, tail = raw.strip().partition(";")
        highest = _id(head)
        if highest is None or (semicolon and not tail):
            return None
        if not semicolon:
            return cls(highest)
        holes = [_span(part) for part in tail.split(",", MAX_HOLES)]
        if len(holes) > MAX_HOLES or any(h is None or h[1] > highest for h in holes):
            return None
        spans = [h for h in holes if h is not None]
        floor = min(a for a, _ in spans) - 1
        if highest - floor > MAX_SPAN:
            return cls(floor)
        open_ids = {i for a, b in spans for i in range(a, b + 1)}
        known = frozenset(i for i in range(floor + 1, highest + 1) if i not in open_ids)
        return cls(floor, known)


def _id(text: str) -> int | None:
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    value = int(text)
    return value if value <= MAX_ID else None


def _span(text: str) -> tuple[int, int] | None:
    first, dash, last = text.partition("-")
    a = _id(first)
    b = _id(last) if dash else a
    if a is None or b is None or a < 1 or b < a:
        return None
    return a, b

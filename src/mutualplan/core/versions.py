"""What changed between two versions of a plan as sent to the buyer. Pure.

A version's snapshot is the plan as sent: its target date and rows (see
`plans.services.versions.snapshot`). Rows are matched by milestone id. A snapshot written by an
older release may lack a field; a field missing on either side is not compared, so older
versions diff with what they have.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mutualplan.core.vocab import SIDE_LABELS, STATUS_LABELS


class Kind:
    TARGET_MOVED = "target_moved"
    ADDED = "added"
    REMOVED = "removed"
    REDATED = "redated"
    REOWNED = "reowned"
    STATUS = "status"
    RETITLED = "retitled"


_OWNER_FIELDS = ("owner_side", "owner_team", "owner_person")
_MISSING = object()


@dataclass(frozen=True)
class Change:
    """One change from version a to version b. `days` is + later / - earlier for date moves."""

    kind: str
    milestone_id: int | None
    title: str
    text: str
    days: int | None = None
    from_date: dt.date | None = None
    to_date: dt.date | None = None
    before: str = ""
    after: str = ""


def _day(value: Any) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def _fmt(day: dt.date, other: dt.date | None = None) -> str:
    """'Jan 14'; with the year when the two dates are in different years."""
    text = f"{day:%b} {day.day}"
    return f"{text}, {day.year}" if other is not None and other.year != day.year else text


def _moved(what: str, old: dt.date | None, new: dt.date | None) -> tuple[str, int | None]:
    """'X moved 7 days later, Jan 14 → Jan 21' and the signed days, or a date set/cleared."""
    if old and new:
        days = (new - old).days
        n = abs(days)
        way = "later" if days > 0 else "earlier"
        unit = "day" if n == 1 else "days"
        return f"{what} moved {n} {unit} {way}, {_fmt(old, new)} → {_fmt(new, old)}", days
    if new:
        return f"{what} given a date, {_fmt(new)}", None
    assert old is not None
    return f"{what} no longer has a date (was {_fmt(old)})", None


def owner_label(row: Mapping[str, Any]) -> str:
    """'Buyer · IT Security · Priya Shah' (the parts the snapshot has)."""
    side = str(row.get("owner_side") or "")
    parts = [
        SIDE_LABELS.get(side, side),
        str(row.get("owner_team") or ""),
        str(row.get("owner_person") or ""),
    ]
    return " · ".join(p for p in parts if p) or "no owner"


def _status(value: Any) -> str:
    return STATUS_LABELS.get(str(value), str(value))


def _rows(snapshot: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    rows = snapshot.get("milestones") or []
    return [r for r in rows if isinstance(r, Mapping) and r.get("id") is not None]


def _both(a: Mapping[str, Any], b: Mapping[str, Any], key: str) -> tuple[Any, Any] | None:
    """The two values of `key`, or None when either snapshot lacks it."""
    old, new = a.get(key, _MISSING), b.get(key, _MISSING)
    if old is _MISSING or new is _MISSING:
        return None
    return old, new


def _row_changes(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[Change]:
    row_id = int(b["id"])
    title = str(b.get("title") or a.get("title") or f"Row {row_id}")
    changes: list[Change] = []
    titles = _both(a, b, "title")
    if titles and titles[0] != titles[1]:
        changes.append(
            Change(
                Kind.RETITLED,
                row_id,
                title,
                f"“{titles[0]}” renamed “{titles[1]}”",
                before=str(titles[0]),
                after=str(titles[1]),
            )
        )
    dates = _both(a, b, "due_date")
    if dates:
        old, new = _day(dates[0]), _day(dates[1])
        if old != new:
            text, days = _moved(title, old, new)
            changes.append(Change(Kind.REDATED, row_id, title, text, days, old, new))
    owner_keys = [k for k in _OWNER_FIELDS if _both(a, b, k) is not None]
    if any(a[k] != b[k] for k in owner_keys):
        before = owner_label({k: a[k] for k in owner_keys})
        after = owner_label({k: b[k] for k in owner_keys})
        changes.append(
            Change(
                Kind.REOWNED,
                row_id,
                title,
                f"{title} now owned by {after} (was {before})",
                before=before,
                after=after,
            )
        )
    statuses = _both(a, b, "status")
    if statuses and statuses[0] != statuses[1]:
        before, after = _status(statuses[0]), _status(statuses[1])
        changes.append(
            Change(
                Kind.STATUS,
                row_id,
                title,
                f"{title}: {before} → {after}",
                before=before,
                after=after,
            )
        )
    return changes


def _added(row: Mapping[str, Any]) -> Change:
    row_id = int(row["id"])
    title = str(row.get("title") or f"Row {row_id}")
    due = _day(row.get("due_date"))
    owner = owner_label(row)
    when = f", due {_fmt(due)}" if due else ""
    by = ""
    if row.get("added_by_side") == "buyer":  # snapshots before this was kept do not say
        name = str(row.get("added_by_name") or "")
        by = f" by {name} on the buyer side" if name else " by the buyer"
    return Change(
        Kind.ADDED, row_id, title, f"{title} added{by} ({owner}{when})", to_date=due, after=owner
    )


def _removed(row: Mapping[str, Any]) -> Change:
    row_id = int(row["id"])
    title = str(row.get("title") or f"Row {row_id}")
    due = _day(row.get("due_date"))
    return Change(Kind.REMOVED, row_id, title, f"{title} removed", from_date=due)


def diff(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[Change]:
    """The changes from snapshot `a` to snapshot `b`: the target date first, then the rows in
    `b`'s order (added, or what changed in them), then the rows `b` no longer has."""
    changes: list[Change] = []
    targets = _both(a, b, "target_date")
    if targets:
        old, new = _day(targets[0]), _day(targets[1])
        if old != new:
            text, days = _moved("Target date", old, new)
            changes.append(Change(Kind.TARGET_MOVED, None, "Target date", text, days, old, new))
    before = {int(r["id"]): r for r in _rows(a)}
    after_ids = set()
    for row in _rows(b):
        row_id = int(row["id"])
        after_ids.add(row_id)
        if row_id in before:
            changes.extend(_row_changes(before[row_id], row))
        else:
            changes.append(_added(row))
    changes.extend(_removed(r) for r in _rows(a) if int(r["id"]) not in after_ids)
    return changes

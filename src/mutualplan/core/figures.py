"""The figures derived from a plan and its rows, the same on every page, answer and command:
days left, overdue, confirmed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from mutualplan.core.vocab import OPEN_STATUSES, MilestoneStatus


def days_left(target_date: dt.date | None, today: dt.date) -> int | None:
    """Days from `today` to the target (negative once it has passed); None without a target."""
    return (target_date - today).days if target_date else None


def is_overdue(due_date: dt.date | None, status: str, today: dt.date) -> bool:
    """A row is overdue when its due date has passed and it is still open."""
    return bool(due_date and due_date < today and MilestoneStatus(status) in OPEN_STATUSES)


def is_confirmed(rows_confirmed: Iterable[bool]) -> bool:
    """A plan is confirmed when it has rows and the buyer confirmed every one of them."""
    flags = list(rows_confirmed)
    return bool(flags) and all(flags)

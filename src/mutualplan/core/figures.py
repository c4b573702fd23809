"""The figures derived from a plan and its rows, the same on every page, answer and command:
days left, overdue, confirmed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Step:
    """A row as the plan's header counts it: the same fields on the seller's and buyer's side."""

    id: int
    position: int
    title: str
    owner_side: str
    owner_team: str
    owner_person: str  # a name, or ""
    due_date: dt.date | None
    status: str


@dataclass(frozen=True)
class Standing:
    """Where the plan stands, as its header reads it: done of total, on track or not, days
    left, and the buyer side's open steps, soonest due first."""

    total: int
    done: int
    overdue: int
    days_left: int | None
    on_track: bool
    target_passed: bool
    buyer_steps: tuple[Step, ...]

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def standing(steps: Sequence[Step], target_date: dt.date | None, today: dt.date) -> Standing:
    """A plan is not on track when any open step is overdue or the target date has passed
    with steps still open (a finished plan is on track whatever the date)."""
    done = sum(s.status == MilestoneStatus.DONE for s in steps)
    overdue = sum(is_overdue(s.due_date, s.status, today) for s in steps)
    left = days_left(target_date, today)
    passed = left is not None and left < 0 and done < len(steps)
    waiting = sorted(
        (
            s
            for s in steps
            if s.owner_side in ("buyer", "joint") and MilestoneStatus(s.status) in OPEN_STATUSES
        ),
        key=lambda s: (s.due_date is None, s.due_date or today, s.position, s.id),
    )
    return Standing(
        total=len(steps),
        done=done,
        overdue=overdue,
        days_left=left,
        on_track=not overdue and not passed,
        target_passed=left is not None and left < 0,
        buyer_steps=tuple(waiting),
    )

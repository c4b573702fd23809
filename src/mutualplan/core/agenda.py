"""The call agenda: what the seller walks through with the champion on a check-in call.

Pure: the plan's facts (`core.health.PlanFacts`, with the last call's day), its discovery
findings (`core.findings`) and the workspace's today and stale days in, the sections out,
always all of them in the same order (an empty section says there is nothing to cover).
The stale and dates-that-must-move rules are health's own (`stale_buyer_rows`,
`short_windows`), so the agenda and the health panel never disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from mutualplan.core.findings import DiscoveryFinding
from mutualplan.core.health import (
    PlanFacts,
    RowFacts,
    short_windows,
    stale_buyer_rows,
    window_days,
)
from mutualplan.core.vocab import MilestoneStatus

DUE_SOON_DAYS = 14

# (key, heading), in the order the call covers them.
AGENDA_SECTIONS: tuple[tuple[str, str], ...] = (
    ("done", "Done since the last call"),
    ("overdue", "Overdue"),
    ("due_soon", f"Due in the next {DUE_SOON_DAYS} days"),
    ("stale", "Buyer steps with no update"),
    ("must_move", "Dates that must move"),
    ("unconfirmed", "Not confirmed by the champion"),
    ("findings", "Open discovery findings"),
)


@dataclass(frozen=True)
class AgendaItem:
    milestone_id: int
    title: str
    detail: str  # one line: why the row is on the agenda


@dataclass(frozen=True)
class AgendaSection:
    key: str
    heading: str
    items: tuple[AgendaItem, ...]


@dataclass(frozen=True)
class Agenda:
    last_call_on: dt.date | None
    sections: tuple[AgendaSection, ...]

    @property
    def empty(self) -> bool:
        return not any(s.items for s in self.sections)


def _days(n: int) -> str:
    return f"{n} day" if abs(n) == 1 else f"{n} days"


def _due(row: RowFacts, today: dt.date) -> str:
    assert row.due_date is not None
    delta = (row.due_date - today).days
    when = "today" if delta == 0 else f"in {_days(delta)}" if delta > 0 else f"{_days(-delta)} ago"
    return f"due {row.due_date.isoformat()} ({when})"


def _quiet_days(facts: PlanFacts, row: RowFacts, today: dt.date) -> int:
    return (today - (row.status_updated_on or facts.created_on)).days


def build_agenda(
    facts: PlanFacts,
    findings: Sequence[DiscoveryFinding],
    stale_days: int,
    today: dt.date,
) -> Agenda:
    """The agenda of the plan's next call on `today`. "Done since the last call" counts from
    the last call's day (that day included: a step done after the call still shows); with no
    call yet, every done step."""
    open_rows = [r for r in facts.rows if r.is_open]
    since = facts.last_call_on
    done = [
        AgendaItem(
            r.id, r.title, f"done {r.completed_on.isoformat()}" if r.completed_on else "done"
        )
        for r in facts.rows
        if r.status == MilestoneStatus.DONE
        and (since is None or r.completed_on is None or r.completed_on >= since)
    ]
    overdue = [
        AgendaItem(r.id, r.title, _due(r, today))
        for r in open_rows
        if r.due_date is not None and r.due_date < today
    ]
    horizon = today + dt.timedelta(days=DUE_SOON_DAYS)
    due_soon = [
        AgendaItem(r.id, r.title, _due(r, today))
        for r in sorted(open_rows, key=lambda r: (r.due_date or horizon, r.id))
        if r.due_date is not None and today <= r.due_date <= horizon
    ]
    stale = [
        AgendaItem(r.id, r.title, f"no status update for {_days(_quiet_days(facts, r, today))}")
        for r in stale_buyer_rows(facts, stale_days, today)
    ]
    must_move = [
        AgendaItem(
            r.id,
            r.title,
            f"{_days(window_days(facts, r, facts.created_on, today) or 0)} for a "
            f"{r.realistic_days}-day turnaround",
        )
        for r in short_windows(facts, facts.created_on, today)
    ]
    unconfirmed = [
        AgendaItem(r.id, r.title, "dates and owner not confirmed")
        for r in open_rows
        if not r.confirmed
    ]
    asked = [AgendaItem(f.milestone_id, f.milestone_title, f.text) for f in findings]
    items = {
        "done": done,
        "overdue": overdue,
        "due_soon": due_soon,
        "stale": stale,
        "must_move": must_move,
        "unconfirmed": unconfirmed,
        "findings": asked,
    }
    return Agenda(
        last_call_on=since,
        sections=tuple(
            AgendaSection(key, heading, tuple(items[key])) for key, heading in AGENDA_SECTIONS
        ),
    )

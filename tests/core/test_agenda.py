"""The call agenda (`core.agenda`): each section lists the rows it should, and only those."""

from __future__ import annotations

import datetime as dt

from mutualplan.core.agenda import AGENDA_SECTIONS, Agenda, build_agenda
from mutualplan.core.findings import DiscoveryFinding
from mutualplan.core.health import PlanFacts, RowFacts

TODAY = dt.date(2026, 6, 10)
START = dt.date(2026, 5, 1)


def row(id: int, title: str, **kw: object) -> RowFacts:
    fields: dict[str, object] = {
        "owner_side": "seller",
        "status": "in_progress",
        "status_updated_on": TODAY,
        "confirmed": True,
    }
    fields.update(kw)
    return RowFacts(id=id, title=title, **fields)  # type: ignore[arg-type]


def agenda(*rows: RowFacts, last_call: dt.date | None = None, findings: tuple = ()) -> Agenda:
    facts = PlanFacts(
        status="active",
        target_date=dt.date(2026, 9, 1),
        created_on=START,
        rows=rows,
        last_call_on=last_call,
    )
    return build_agenda(facts, findings, stale_days=14, today=TODAY)


def titles(found: Agenda, key: str) -> list[str]:
    return [i.title for s in found.sections if s.key == key for i in s.items]


def test_every_section_is_listed_in_order_even_when_empty() -> None:
    found = agenda()
    assert [s.key for s in found.sections] == [k for k, _ in AGENDA_SECTIONS]
    assert found.empty


def test_done_since_the_last_call_counts_from_the_calls_day() -> None:
    found = agenda(
        row(1, "Old win", status="done", completed_on=dt.date(2026, 6, 1)),
        row(2, "Same day", status="done", completed_on=dt.date(2026, 6, 5)),
        row(3, "New win", status="done", completed_on=dt.date(2026, 6, 9)),
        last_call=dt.date(2026, 6, 5),
    )
    assert titles(found, "done") == ["Same day", "New win"]
    assert titles(agenda(row(1, "Old win", status="done", completed_on=START)), "done") == [
        "Old win"
    ]


def test_overdue_and_due_in_the_next_14_days_split_on_today() -> None:
    found = agenda(
        row(1, "Late", due_date=TODAY - dt.timedelta(days=1)),
        row(2, "Today", due_date=TODAY),
        row(3, "Day 14", due_date=TODAY + dt.timedelta(days=14)),
        row(4, "Day 15", due_date=TODAY + dt.timedelta(days=15)),
        row(5, "Done late", status="done", due_date=TODAY - dt.timedelta(days=3)),
    )
    assert titles(found, "overdue") == ["Late"]
    assert titles(found, "due_soon") == ["Today", "Day 14"]
    late = next(s for s in found.sections if s.key == "overdue").items[0]
    assert late.detail == "due 2026-06-09 (1 day ago)"


def test_a_buyer_step_without_update_for_the_stale_days_is_stale() -> None:
    found = agenda(
        row(1, "Security review", owner_side="buyer", status_updated_on=TODAY - dt.timedelta(14)),
        row(2, "Legal", owner_side="buyer", status_updated_on=TODAY - dt.timedelta(13)),
        row(3, "Demo", owner_side="seller", status_updated_on=TODAY - dt.timedelta(30)),
    )
    assert titles(found, "stale") == ["Security review"]
    assert next(s for s in found.sections if s.key == "stale").items[0].detail == (
        "no status update for 14 days"
    )


def test_unconfirmed_open_rows_are_listed() -> None:
    found = agenda(row(1, "Pricing", confirmed=False), row(2, "Kickoff"))
    assert titles(found, "unconfirmed") == ["Pricing"]


def test_a_window_shorter_than_the_turnaround_is_a_date_that_must_move() -> None:
    found = agenda(
        row(1, "Business case", due_date=dt.date(2026, 6, 20)),
        row(
            2, "Security review", due_date=dt.date(2026, 6, 30), turnaround_days=20, depends_on=(1,)
        ),
        row(3, "Legal", due_date=dt.date(2026, 8, 1), turnaround_days=20, depends_on=(2,)),
    )
    assert titles(found, "must_move") == ["Security review"]
    item = next(s for s in found.sections if s.key == "must_move").items[0]
    assert item.detail == "10 days for a 20-day turnaround"


def test_open_discovery_findings_are_the_questions_to_ask() -> None:
    finding = DiscoveryFinding(
        7,
        "Security review",
        "owner_named",
        "unknown",
        "Who owns the security review at Acme?",
        "Not yet known.",
    )
    found = agenda(row(7, "Security review"), findings=(finding,))
    item = next(s for s in found.sections if s.key == "findings").items[0]
    assert (item.milestone_id, item.detail) == (
        7,
        "Who owns the security review at Acme? Not yet known.",
    )


def test_a_step_not_started_has_only_the_days_left_from_today_so_its_date_must_move() -> None:
    # Planned with 40 days from the plan's start, but the call is five days before it is due.
    due = TODAY + dt.timedelta(days=5)
    waiting = row(1, "Security review", status="not_started", due_date=due, turnaround_days=10)
    started = row(2, "Legal redline", status="in_progress", due_date=due, turnaround_days=10)

    found = agenda(waiting, started)

    assert titles(found, "must_move") == ["Security review"]
    item = next(s for s in found.sections if s.key == "must_move").items[0]
    assert item.detail == "5 days for a 10-day turnaround"

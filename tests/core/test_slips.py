"""Slip diagnostics in the core: days slipped, by reason, by owner side, by row."""

from __future__ import annotations

import datetime as dt

from mutualplan.core.slips import SlipRecord, slip_summary


def slip(id: int, days: int, side: str, reason: str = "", **more: object) -> SlipRecord:
    title = "target date" if side == "target" else f"Row {id}"
    row = None if side == "target" else id
    return SlipRecord(id, row, title, days, side, reason, **more)  # type: ignore[arg-type]


def test_the_summary_adds_the_days_slipped_by_reason_and_by_owner_side() -> None:
    summary = slip_summary(
        [
            slip(1, 10, "buyer", "legal_or_security_delay"),
            slip(2, 5, "buyer", "legal_or_security_delay"),
            slip(3, 4, "seller", "seller_side_delay"),
            slip(4, 7, "target", "stakeholder_not_engaged"),
        ],
        dt.date(2026, 9, 1),
        dt.date(2026, 9, 8),
    )
    assert (summary.count, summary.total_days, summary.unexplained) == (4, 26, 0)
    assert [(g.key, g.count, g.days) for g in summary.by_reason] == [
        ("legal_or_security_delay", 2, 15),
        ("stakeholder_not_engaged", 1, 7),
        ("seller_side_delay", 1, 4),
    ]
    assert [(g.label, g.days) for g in summary.by_side] == [
        ("buyer side", 15),
        ("target date", 7),
        ("seller side", 4),
    ]
    assert summary.target_days_moved == 7


def test_a_slip_without_a_reason_is_flagged_but_one_made_while_building_is_not() -> None:
    summary = slip_summary(
        [slip(1, 3, "buyer"), slip(2, 2, "joint", during_build=True)], None, None
    )
    assert [s.unexplained for s in summary.slips] == [True, False]
    assert summary.unexplained == 1
    assert {g.key: g.label for g in summary.by_reason} == {
        "unexplained": "no reason given",
        "during_build": "while building",
    }
    assert summary.target_days_moved is None


def test_a_date_pulled_in_is_not_counted_as_days_slipped() -> None:
    summary = slip_summary(
        [slip(1, -5, "buyer", "other"), slip(2, 4, "buyer", "other")], None, None
    )
    assert summary.total_days == 4 and summary.by_row[0].days == 4


def test_slips_are_grouped_per_row() -> None:
    summary = slip_summary(
        [slip(1, 3, "buyer", "other"), slip(1, 2, "buyer", "other"), slip(2, 1, "seller", "other")],
        None,
        None,
    )
    assert [(g.key, g.count, g.days) for g in summary.by_row] == [("1", 2, 5), ("2", 1, 1)]

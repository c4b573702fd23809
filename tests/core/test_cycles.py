"""Cycle length, win rate and close-date accuracy per account type and quarter, in the core."""

from __future__ import annotations

import datetime as dt

import pytest

from mutualplan.core.cycles import CycleRow, DealOutcome, cycle_table, quarter_of

d = dt.date


def small_history() -> list[DealOutcome]:
    return [
        # Enterprise, Q1 2026: two won, one lost.
        DealOutcome("enterprise", d(2026, 1, 5), d(2026, 3, 20), True, d(2026, 3, 15)),
        DealOutcome("enterprise", d(2026, 2, 1), d(2026, 3, 31), True, d(2026, 4, 10)),
        DealOutcome("enterprise", d(2026, 1, 10), d(2026, 2, 15), False, d(2026, 2, 1)),
        # Enterprise, Q2 2026: one won, no first target recorded.
        DealOutcome("enterprise", d(2026, 3, 1), d(2026, 5, 30), True, None),
        # Still open: counted nowhere.
        DealOutcome("enterprise", d(2026, 4, 1), None, None, d(2026, 6, 30)),
        # SMB, Q2 2026: one won on its target, one lost.
        DealOutcome("smb", d(2026, 4, 1), d(2026, 4, 11), True, d(2026, 4, 11)),
        DealOutcome("smb", d(2026, 4, 2), d(2026, 5, 2), False, None),
    ]


def cells(row: CycleRow) -> tuple[object, ...]:
    return (
        row.account_type,
        row.quarter,
        row.won,
        row.lost,
        row.win_rate,
        row.mean_cycle_days,
        row.median_cycle_days,
        row.with_target,
        row.mean_days_late,
        row.median_days_late,
    )


def test_the_cycle_table_matches_a_hand_computation_on_a_small_history() -> None:
    # Cycle lengths of the won deals:
    #   Jan 5 -> Mar 20: 26 (rest of Jan) + 28 (Feb) + 20 = 74 days
    #   Feb 1 -> Mar 31: 27 + 1 (to Mar 1) + 30 = 58 days
    #   Mar 1 -> May 30: 31 (Mar) + 30 (Apr) + 29 = 90 days
    #   Apr 1 -> Apr 11: 10 days
    # Days late (close - first target): Mar 20 - Mar 15 = +5; Mar 31 - Apr 10 = -10;
    #   Apr 11 - Apr 11 = 0. The lost deals' dates say nothing about closing on time.
    # Enterprise Q1: won 2, lost 1 -> 2/3; cycle (74 + 58)/2 = 66; late (5 - 10)/2 = -2.5.
    # Enterprise Q2: won 1 -> 1.0; cycle 90; no target.
    # Enterprise all: won 3, lost 1 -> 3/4; cycle (74 + 58 + 90)/3 = 74, median 74.
    # SMB Q2 and all: won 1, lost 1 -> 1/2; cycle 10; late 0.
    assert [cells(row) for row in cycle_table(small_history())] == [
        ("enterprise", "2026-Q1", 2, 1, pytest.approx(2 / 3), 66, 66, 2, -2.5, -2.5),
        ("enterprise", "2026-Q2", 1, 0, 1.0, 90, 90, 0, None, None),
        ("enterprise", None, 3, 1, 0.75, 74, 74, 2, -2.5, -2.5),
        ("smb", "2026-Q2", 1, 1, 0.5, 10, 10, 1, 0, 0),
        ("smb", None, 1, 1, 0.5, 10, 10, 1, 0, 0),
    ]


def test_a_quarter_with_only_lost_deals_has_a_zero_win_rate_and_no_cycle_length() -> None:
    table = cycle_table([DealOutcome("smb", d(2026, 7, 1), d(2026, 8, 1), False)])
    assert cells(table[0]) == ("smb", "2026-Q3", 0, 1, 0.0, None, None, 0, None, None)


def test_no_deals_or_only_open_ones_give_an_empty_table() -> None:
    assert cycle_table([]) == []
    assert cycle_table([DealOutcome("smb", d(2026, 7, 1), None, None)]) == []


def test_a_deal_won_the_day_it_was_created_has_a_zero_day_cycle() -> None:
    (quarter, overall) = cycle_table([DealOutcome("smb", d(2026, 12, 31), d(2026, 12, 31), True)])
    assert (quarter.quarter, quarter.mean_cycle_days, overall.quarter) == ("2026-Q4", 0, None)


def test_quarters_run_january_april_july_october() -> None:
    assert [quarter_of(d(2026, m, 1)) for m in (1, 3, 4, 6, 7, 9, 10, 12)] == [
        "2026-Q1",
        "2026-Q1",
        "2026-Q2",
        "2026-Q2",
        "2026-Q3",
        "2026-Q3",
        "2026-Q4",
        "2026-Q4",
    ]


def test_impossible_outcomes_are_refused() -> None:
    with pytest.raises(ValueError, match="closed .* or open"):
        DealOutcome("smb", d(2026, 1, 1), d(2026, 2, 1), None)
    with pytest.raises(ValueError, match="closed .* or open"):
        DealOutcome("smb", d(2026, 1, 1), None, True)
    with pytest.raises(ValueError, match="close before it was created"):
        DealOutcome("smb", d(2026, 2, 1), d(2026, 1, 1), False)

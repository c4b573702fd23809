"""Cycle length, win rate and close-date accuracy per account type and quarter. Pure.

Deals count in the quarter they closed. Cycle length is created -> closed of won deals; the
win rate is won / (won + lost) among deals closed in the quarter; days late is the close date
minus the first target date of won deals (negative when early). Open deals are not counted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class DealOutcome:
    """One deal or plan: `closed` and `won` are both None while it is open."""

    account_type: str
    created: dt.date
    closed: dt.date | None
    won: bool | None
    first_target: dt.date | None = None

    def __post_init__(self) -> None:
        if (self.closed is None) != (self.won is None):
            raise ValueError("a deal is closed (with won true or false) or open (neither)")
        if self.closed is not None and self.closed < self.created:
            raise ValueError("a deal cannot close before it was created")


def quarter_of(day: dt.date) -> str:
    """'2026-Q3' for any day of July to September 2026."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


@dataclass(frozen=True)
class CycleRow:
    """One account type in one quarter, or (quarter None) over all quarters."""

    account_type: str
    quarter: str | None
    won: int
    lost: int
    win_rate: float | None  # won / (won + lost); None with no closed deal
    mean_cycle_days: float | None  # created -> closed, won deals
    median_cycle_days: float | None
    with_target: int  # won deals that had a first target date
    mean_days_late: float | None  # closed - first target, won deals with a target
    median_days_late: float | None


def _stat(values: list[int], how: str) -> float | None:
    if not values:
        return None
    return float(np.mean(values) if how == "mean" else np.median(values))


def _row(account_type: str, quarter: str | None, deals: Sequence[DealOutcome]) -> CycleRow:
    won = [d for d in deals if d.won]
    lost = sum(1 for d in deals if d.won is False)
    cycles = [(d.closed - d.created).days for d in won if d.closed]
    late = [(d.closed - d.first_target).days for d in won if d.closed and d.first_target]
    return CycleRow(
        account_type=account_type,
        quarter=quarter,
        won=len(won),
        lost=lost,
        win_rate=len(won) / (len(won) + lost) if won or lost else None,
        mean_cycle_days=_stat(cycles, "mean"),
        median_cycle_days=_stat(cycles, "median"),
        with_target=len(late),
        mean_days_late=_stat(late, "mean"),
        median_days_late=_stat(late, "median"),
    )


def cycle_table(deals: Sequence[DealOutcome]) -> list[CycleRow]:
    """Per account type (sorted): one row per quarter with a closed deal, in time order,
    then the all-quarters row (quarter None)."""
    closed: dict[str, dict[str, list[DealOutcome]]] = {}
    for deal in deals:
        if deal.closed is not None:
            by_quarter = closed.setdefault(deal.account_type, {})
            by_quarter.setdefault(quarter_of(deal.closed), []).append(deal)
    table: list[CycleRow] = []
    for account in sorted(closed):
        quarters = closed[account]
        table.extend(_row(account, quarter, quarters[quarter]) for quarter in sorted(quarters))
        table.append(_row(account, None, [d for q in sorted(quarters) for d in quarters[q]]))
    return table

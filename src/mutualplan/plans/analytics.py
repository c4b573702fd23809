"""The workspace's analytics tables as the pages, the API and the command line show them: the
step-duration table and the cycle table read from its history as known on a day, filtered
by account type, with each figure in words and each table as CSV rows. The statistics are
the core's (`core.durations`, `core.cycles`); the history is read by `plans.learning`."""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from mutualplan.core.cycles import CycleRow, DealOutcome, cycle_table
from mutualplan.core.durations import DurationRow, Figure, duration_table
from mutualplan.core.vocab import label
from mutualplan.formats.csv import write_table
from mutualplan.formats.table import Value
from mutualplan.plans.errors import Invalid
from mutualplan.plans.learning import deal_outcomes, step_columns
from mutualplan.plans.queries import account_type_filter
from mutualplan.workspaces.clock import today_for
from mutualplan.workspaces.models import Workspace

ALL_DEALS = "All deals"
ALL_QUARTERS = "All quarters"
MAX_ACCOUNT_TYPE = 100
HOW_TO_GET_HISTORY = "mutualplan demo --deals 300"


def parse_as_of(text: str | None, workspace: Workspace) -> dt.date:
    """The day the history is read as of: `text` (YYYY-MM-DD), today when empty."""
    today = today_for(workspace)
    if not text:
        return today
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise Invalid.field("as_of", f"{text[:40]!r} is not a date; use YYYY-MM-DD") from None
    return check_as_of(day, today)


def check_as_of(day: dt.date, today: dt.date) -> dt.date:
    if day > today:
        raise Invalid.field("as_of", f"{day} is after today ({today}): no history is known yet")
    return day


def parse_account_type(text: str | None, workspace: Workspace) -> str | None:
    """The account type asked for, or None for all of them; Invalid names a bad one."""
    if len((text or "").strip()) > MAX_ACCOUNT_TYPE:
        raise Invalid.field("account_type", f"is longer than {MAX_ACCOUNT_TYPE} characters")
    return account_type_filter(workspace, text)


@dataclass(frozen=True)
class Durations:
    as_of: dt.date
    account_type: str | None
    rows: list[DurationRow]  # each step type's overall row, then its account types' rows
    account_types: list[str]  # every account type with history, for the filter

    @property
    def step_types(self) -> list[str]:
        return [r.step_type for r in self.rows if r.account_type is None]


def durations(workspace: Workspace, as_of: dt.date, account_type: str | None) -> Durations:
    """The duration table; with `account_type`, each step type's overall row and that account
    type's row only (its figures are still shrunk toward all deals)."""
    table = duration_table(step_columns(workspace, as_of))
    kinds = sorted({r.account_type for r in table if r.account_type is not None})
    if account_type is not None:
        table = [r for r in table if r.account_type in (None, account_type)]
    return Durations(as_of, account_type, table, kinds)


@dataclass(frozen=True)
class Cycles:
    as_of: dt.date
    account_type: str | None
    rows: list[CycleRow]
    account_types: list[str]


def cycles(workspace: Workspace, as_of: dt.date, account_type: str | None) -> Cycles:
    outcomes = deal_outcomes(workspace, as_of)
    kinds = sorted({d.account_type for d in outcomes})
    if account_type is not None:
        outcomes = [d for d in outcomes if d.account_type == account_type]
    return Cycles(as_of, account_type, cycle_table(outcomes), kinds)


@dataclass(frozen=True)
class Headline:
    as_of: dt.date
    steps_observed: int
    step_types: int
    deals: int
    deals_closed: int
    won: int
    win_rate: float | None
    median_cycle_days: float | None


def headline(workspace: Workspace, as_of: dt.date) -> Headline:
    """The overview's numbers: steps observed, deals closed, win rate, median cycle."""
    steps = step_columns(workspace, as_of)
    outcomes = deal_outcomes(workspace, as_of)
    return summarise(as_of, len(steps.days), len(set(steps.step_type.tolist())), outcomes)


def summarise(
    as_of: dt.date, steps: int, step_types: int, outcomes: Sequence[DealOutcome]
) -> Headline:
    closed = [d for d in outcomes if d.closed is not None]
    won = [d for d in closed if d.won]
    cycle = [(d.closed - d.created).days for d in won if d.closed is not None]
    return Headline(
        as_of=as_of,
        steps_observed=steps,
        step_types=step_types,
        deals=len(outcomes),
        deals_closed=len(closed),
        won=len(won),
        win_rate=len(won) / len(closed) if closed else None,
        median_cycle_days=float(statistics.median(cycle)) if cycle else None,
    )


def days(value: float | None) -> str:
    """'23 days', '1 day', '12.5 days'; '—' for no value."""
    if value is None:
        return "—"
    rounded = round(value, 1)
    number = str(int(rounded)) if rounded.is_integer() else f"{rounded:.1f}"
    return f"{number} day{'' if number == '1' else 's'}"


def percent(share: float | None) -> str:
    return "—" if share is None else f"{round(share * 100)}%"


def figure_text(name: str, figure: Figure) -> str:
    """'P80 23 days (41 deals)', 'P80 at least 30 days (3 deals)', 'P80 no data'."""
    deals = f"({figure.rests_on} deal{'' if figure.rests_on == 1 else 's'})"
    if figure.value is not None:
        return f"{name} {days(figure.value)} {deals}"
    if figure.at_least is not None:
        return f"{name} at least {days(figure.at_least)} {deals}"
    return f"{name} no data"


def reasons_text(row: DurationRow) -> str:
    return ", ".join(f"{label(reason)} ({count})" for reason, count in row.top_reasons)


DURATION_COLUMNS = (
    "Step type",
    "Account type",
    "Observations",
    "Finished",
    "Open",
    "Median days",
    "Median at least days",
    "P80 days",
    "P80 at least days",
    "Shrunk toward all deals",
    "Own median days",
    "Own P80 days",
    "Planned vs actual days",
    "Slip share %",
    "Mean days slipped",
    "Top slip reasons",
)

CYCLE_COLUMNS = (
    "Account type",
    "Quarter",
    "Won",
    "Lost",
    "Win rate %",
    "Mean cycle days",
    "Median cycle days",
    "Won with a first target",
    "Mean days late",
    "Median days late",
)


def _number(value: float | None) -> Decimal | None:
    """A number for a table cell, to one decimal (Decimal: never text that could read as a
    formula, which a negative number written as text would)."""
    if value is None:
        return None
    rounded = round(value, 1)
    return Decimal(int(rounded)) if rounded.is_integer() else Decimal(f"{rounded:.1f}")


def duration_cells(row: DurationRow) -> list[Value]:
    shrunk = row.median.shrunk or row.p80.shrunk
    return [
        label(row.step_type),
        row.account_type or "",
        row.observations,
        row.finished,
        row.open,
        _number(row.median.value),
        _number(row.median.at_least) if row.median.value is None else None,
        _number(row.p80.value),
        _number(row.p80.at_least) if row.p80.value is None else None,
        "yes" if shrunk else "no",
        _number(row.median.raw),
        _number(row.p80.raw),
        _number(row.planned_vs_actual.value),
        _number(None if row.slip_share.value is None else row.slip_share.value * 100),
        _number(row.mean_days_slipped.value),
        reasons_text(row),
    ]


def cycle_cells(row: CycleRow) -> list[Value]:
    return [
        row.account_type,
        row.quarter or ALL_QUARTERS,
        row.won,
        row.lost,
        _number(None if row.win_rate is None else row.win_rate * 100),
        _number(row.mean_cycle_days),
        _number(row.median_cycle_days),
        row.with_target,
        _number(row.mean_days_late),
        _number(row.median_days_late),
    ]


def durations_csv(table: Durations) -> bytes:
    return write_table(DURATION_COLUMNS, [duration_cells(r) for r in table.rows])


def cycles_csv(table: Cycles) -> bytes:
    return write_table(CYCLE_COLUMNS, [cycle_cells(r) for r in table.rows])


def file_name(kind: str, table: Durations | Cycles) -> str:
    return f"{kind}-as-of-{table.as_of.isoformat()}.csv"


def figure_dict(figure: Figure) -> dict[str, Any]:
    return {
        "days": figure.value,
        "at_least_days": figure.at_least if figure.value is None else None,
        "rests_on": figure.rests_on,
        "shrunk": figure.shrunk,
        "own_days": figure.raw,
    }


def duration_dict(row: DurationRow) -> dict[str, Any]:
    """One row of the duration table as the API answers it."""
    return {
        "step_type": row.step_type,
        "step_label": label(row.step_type),
        "account_type": row.account_type,
        "observations": row.observations,
        "finished": row.finished,
        "open": row.open,
        "median": figure_dict(row.median),
        "p80": figure_dict(row.p80),
        "planned_vs_actual_days": row.planned_vs_actual.value,
        "slip_share": row.slip_share.value,
        "mean_days_slipped": row.mean_days_slipped.value,
        "top_reasons": [{"reason": r, "slips": n} for r, n in row.top_reasons],
    }


def cycle_dict(row: CycleRow) -> dict[str, Any]:
    return {
        "account_type": row.account_type,
        "quarter": row.quarter,
        "won": row.won,
        "lost": row.lost,
        "win_rate": row.win_rate,
        "mean_cycle_days": row.mean_cycle_days,
        "median_cycle_days": row.median_cycle_days,
        "with_target": row.with_target,
        "mean_days_late": row.mean_days_late,
        "median_days_late": row.median_days_late,
    }

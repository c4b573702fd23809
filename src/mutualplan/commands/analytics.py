"""`mutualplan analytics`: the step-duration and deal-cycle tables of the workspace's history
in the terminal (aligned tables) or as CSV, the same tables the analytics pages show."""

from __future__ import annotations

from typing import Any

import click

from mutualplan.commands.common import (
    option,
    run_action,
    seller_context,
    seller_options,
    setup_django,
    table,
)
from mutualplan.core.vocab import label

TABLES = ("durations", "cycles", "all")
SHRUNK = "~"


def _figure(figure: Any, days: Any) -> str:
    """'10 days', '≥36 days' when not reached yet, '~12 days' when shrunk toward all deals."""
    mark = SHRUNK if figure.shrunk else ""
    if figure.value is not None:
        return f"{mark}{days(figure.value)}"
    if figure.at_least is not None:
        return f"{mark}≥{days(figure.at_least)}"
    return "—"


def _durations(durations: Any, analytics: Any, clean: Any) -> str:
    rows = [
        [
            label(r.step_type) if r.account_type is None else "",
            analytics.ALL_DEALS if r.account_type is None else clean(r.account_type),
            r.observations,
            r.open,
            _figure(r.median, analytics.days),
            _figure(r.p80, analytics.days),
            analytics.days(r.planned_vs_actual.value),
            analytics.percent(r.slip_share.value),
            analytics.days(r.mean_days_slipped.value),
            clean(analytics.reasons_text(r)) or "—",
        ]
        for r in durations.rows
    ]
    headers = [
        "step type",
        "account type",
        "steps",
        "open",
        "median",
        "P80",
        "planned vs actual",
        "slipped",
        "mean slip",
        "top slip reasons",
    ]
    notes = (
        f"Step durations as of {durations.as_of}. ≥: not reached yet, at least that long "
        f"(steps still open). {SHRUNK}: few deals of their own, shrunk toward all deals."
    )
    return f"{notes}\n\n{table(headers, rows)}"


def _cycles(cycles: Any, analytics: Any, clean: Any) -> str:
    rows = [
        [
            clean(r.account_type),
            r.quarter or analytics.ALL_QUARTERS,
            r.won,
            r.lost,
            analytics.percent(r.win_rate),
            analytics.days(r.mean_cycle_days),
            analytics.days(r.median_cycle_days),
            analytics.days(r.mean_days_late),
            analytics.days(r.median_days_late),
        ]
        for r in cycles.rows
    ]
    headers = [
        "account type",
        "quarter",
        "won",
        "lost",
        "win rate",
        "mean cycle",
        "median cycle",
        "mean days late",
        "median days late",
    ]
    notes = (
        f"Deal cycles as of {cycles.as_of}, by quarter closed: created to won, and days late "
        "against the plan's first target (negative: early)."
    )
    return f"{notes}\n\n{table(headers, rows)}"


@click.command()
@option(
    "--table",
    "which",
    envvar="MUTUALPLAN_ANALYTICS_TABLE",
    type=click.Choice(TABLES),
    default="all",
    show_default=True,
    help="Which table to print.",
)
@option(
    "--account-type",
    envvar="MUTUALPLAN_ACCOUNT_TYPE",
    default=None,
    help="Only this account type (each step type's overall row is kept).",
)
@option(
    "--as-of",
    envvar="MUTUALPLAN_AS_OF",
    default=None,
    help="Read the history as of this day, YYYY-MM-DD (default: today).",
)
@option("--csv", "as_csv", is_flag=True, envvar="MUTUALPLAN_CSV", help="Print CSV instead.")
@seller_options
def analytics(
    which: str,
    account_type: str | None,
    as_of: str | None,
    as_csv: bool,
    user_email: str,
    workspace: str | None,
    data_dir: str | None,
) -> None:
    """Step durations per step type and account type, and deal cycles per quarter, learned
    from the workspace's history."""
    setup_django(data_dir)
    from mutualplan.core.text import printable
    from mutualplan.plans import analytics as tables

    ws, _ = seller_context(user_email, workspace)
    day = run_action(lambda: tables.parse_as_of(as_of, ws))
    kind = run_action(lambda: tables.parse_account_type(account_type, ws))
    out: list[str] = []
    if which in ("durations", "all"):
        durations = tables.durations(ws, day, kind)
        if as_csv:
            out.append(tables.durations_csv(durations).decode("utf-8-sig"))
        elif durations.rows:
            out.append(_durations(durations, tables, printable))
        else:
            out.append(f"No step history yet. For a demo history: {tables.HOW_TO_GET_HISTORY}")
    if which in ("cycles", "all"):
        cycles = tables.cycles(ws, day, kind)
        if as_csv:
            out.append(tables.cycles_csv(cycles).decode("utf-8-sig"))
        elif cycles.rows:
            out.append(_cycles(cycles, tables, printable))
        else:
            out.append(f"No closed deals yet. For a demo history: {tables.HOW_TO_GET_HISTORY}")
    click.echo("\n\n".join(o.rstrip("\r\n") for o in out))

"""A workspace's history read for learning: every step as an observation (open ones censored)
and every deal's outcome, as known on a given day. Read-only, a fixed number of queries
whatever the size of the history, read straight into numpy columns (a million milestones
stay fast); the statistics themselves are the core's (`core.durations`, `core.cycles`,
`core.learned`).

When a step's clock runs: from the day its last prerequisite was completed, or the day the
row was added when it has none (or was added later), to the day it was completed. A step
whose prerequisites are not all completed has not started and is not an observation. A step
still open is censored on `as_of`, or on its deal's close date when the plan was won or lost
without it (it stopped being watched). Draft plans are still being built: not history.
Planned days are the row's turnaround, else its first committed due date minus its start.
Slips count when they moved the due date later after the plan was committed (moves while
building the plan are not slips of the step), each with its reason.

Days are UTC calendar days: a step added late in the evening west of Greenwich may count
one day more than its local dates say, which no turnaround statistic notices.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from django.db import connection
from django.db.models import Count, Max

from mutualplan.core.cycles import DealOutcome
from mutualplan.core.durations import StepColumns
from mutualplan.core.learned import Learned, learn
from mutualplan.core.vocab import PlanStatus
from mutualplan.plans.models import Activity, Plan
from mutualplan.workspaces.models import Workspace

_EPOCH = dt.date(1970, 1, 1)
# Stands for "never" among epoch days (a prerequisite not completed, a date not set).
_NEVER = np.iinfo(np.int64).max // 4
_CLOSED = (PlanStatus.WON.value, PlanStatus.LOST.value)


def _day(column: str) -> str:
    """SQL for the epoch day (days since 1970-01-01) of a date or timestamp column."""
    if connection.vendor == "postgresql":
        return f"(CAST({column} AS date) - DATE '1970-01-01')"
    return f"CAST(julianday(date({column})) - 2440587.5 AS INTEGER)"


def _epoch(day: dt.date) -> int:
    return (day - _EPOCH).days


def _days(values: Sequence[Any]) -> npt.NDArray[np.int64]:
    return np.array([_NEVER if v is None else v for v in values], dtype=np.int64)


def _fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _steps_sql() -> str:
    return f"""
        SELECT m.id, m.step_type, d.account_type, p.status, {_day("m.added_at")},
               {_day("m.completed_at")}, {_day("d.close_date")}, m.turnaround_days,
               {_day("m.baseline_due_date")}
        FROM plans_milestone m
        JOIN plans_plan p ON p.id = m.plan_id
        JOIN plans_deal d ON d.id = p.deal_id
        WHERE p.workspace_id = %s AND p.status <> 'draft'
        ORDER BY m.id"""


def _prerequisites_sql() -> str:
    return f"""
        SELECT x.from_milestone_id, {_day("pre.completed_at")}
        FROM plans_milestone_depends_on x
        JOIN plans_milestone pre ON pre.id = x.to_milestone_id
        JOIN plans_plan p ON p.id = pre.plan_id
        WHERE p.workspace_id = %s AND p.status <> 'draft'"""


def _slips_sql() -> str:
    return f"""
        SELECT s.milestone_id, s.days, s.reason_category
        FROM plans_slip s
        JOIN plans_plan p ON p.id = s.plan_id
        WHERE p.workspace_id = %s AND p.status <> 'draft' AND s.milestone_id IS NOT NULL
          AND s.days > 0 AND s.during_build = %s AND {_day("s.created_at")} <= %s"""


def step_columns(workspace: Workspace, as_of: dt.date) -> StepColumns:
    """Every started step of the workspace's plans as known on `as_of`, column by column."""
    today = _epoch(as_of)
    rows = _fetch(_steps_sql(), [workspace.pk])
    if not rows:
        return _empty_columns()
    ids, step_type, account_type, status, added, done, closed, turnaround, baseline = zip(
        *rows, strict=True
    )
    id_array = np.array(ids, dtype=np.int64)
    added_day = _days(added)
    done_day = _days(done)
    closed_day = np.where(np.isin(np.array(status), _CLOSED), _days(closed), _NEVER)

    # The day each row's last prerequisite was completed (_NEVER if one was not by as_of).
    ready = np.full(len(ids), np.iinfo(np.int64).min, dtype=np.int64)
    prerequisites = _fetch(_prerequisites_sql(), [workspace.pk])
    if prerequisites:
        row_ids, pre_done = zip(*prerequisites, strict=True)
        at = np.searchsorted(id_array, np.array(row_ids, dtype=np.int64))
        pre_day = _days(pre_done)
        np.maximum.at(ready, at, np.where(pre_day <= today, pre_day, _NEVER))
    start = np.maximum(added_day, ready)
    finished = done_day <= today
    end = np.where(finished, done_day, np.minimum(today, closed_day))
    keep = (start <= today) & (added_day <= today)
    # A row completed before its prerequisites (out-of-order records) took no time.
    days = np.maximum(end - start, 0)[keep]

    turnaround_days = np.array(
        [np.nan if t is None else float(t) for t in turnaround], dtype=np.float64
    )
    baseline_day = _days(baseline).astype(np.float64)
    baseline_day[baseline_day >= _NEVER] = np.nan
    planned = np.where(np.isnan(turnaround_days), baseline_day - start, turnaround_days)

    slipped = np.zeros(len(ids), dtype=np.int64)
    reason_at: list[int] = []
    reasons: list[str] = []
    slips = _fetch(_slips_sql(), [workspace.pk, False, today])
    if slips:
        slip_rows, slip_days, slip_reasons = zip(*slips, strict=True)
        at = np.searchsorted(id_array, np.array(slip_rows, dtype=np.int64))
        found = (at < len(ids)) & (id_array[np.minimum(at, len(ids) - 1)] == slip_rows)
        np.add.at(slipped, at[found], np.array(slip_days, dtype=np.int64)[found])
        reason_at = [int(i) for i, ok in zip(at, found, strict=True) if ok]
        reasons = [r or "unstated" for r, ok in zip(slip_reasons, found, strict=True) if ok]
    # Slip reasons point at rows of the kept subset, renumbered.
    renumber = np.cumsum(keep) - 1
    kept_reasons = [
        (int(renumber[i]), r) for i, r in zip(reason_at, reasons, strict=True) if keep[i]
    ]
    return StepColumns(
        step_type=np.array(step_type, dtype=np.str_)[keep],
        account_type=np.array(account_type, dtype=np.str_)[keep],
        days=days.astype(np.int64),
        finished=finished[keep],
        planned_days=planned[keep],
        slipped_days=slipped[keep],
        reason_step=np.array([i for i, _ in kept_reasons], dtype=np.int64),
        reason=np.array([r for _, r in kept_reasons], dtype=np.str_),
    )


def _empty_columns() -> StepColumns:
    return StepColumns(
        step_type=np.array([], dtype=np.str_),
        account_type=np.array([], dtype=np.str_),
        days=np.array([], dtype=np.int64),
        finished=np.array([], dtype=np.bool_),
        planned_days=np.array([], dtype=np.float64),
        slipped_days=np.array([], dtype=np.int64),
        reason_step=np.array([], dtype=np.int64),
        reason=np.array([], dtype=np.str_),
    )


def deal_outcomes(workspace: Workspace, as_of: dt.date) -> list[DealOutcome]:
    """Every deal created by `as_of`, closed (won or lost) if it had closed by then. A won or
    lost plan closed on its deal's close date, else on the plan's last change."""
    sql = f"""
        SELECT d.account_type, {_day("d.created_at")}, p.status, {_day("d.close_date")},
               {_day("p.updated_at")}, {_day("p.baseline_target_date")},
               {_day("p.target_date")}
        FROM plans_deal d JOIN plans_plan p ON p.deal_id = d.id
        WHERE d.workspace_id = %s AND {_day("d.created_at")} <= %s"""
    today = _epoch(as_of)
    outcomes = []
    for account, created, status, close, updated, baseline, target in _fetch(
        sql, [workspace.pk, today]
    ):
        closed = close if close is not None else updated
        first_target = baseline if baseline is not None else target
        ended = status in _CLOSED and closed is not None and closed <= today
        outcomes.append(
            DealOutcome(
                account_type=account,
                created=_EPOCH + dt.timedelta(days=created),
                closed=_EPOCH + dt.timedelta(days=max(closed, created)) if ended else None,
                won=(status == PlanStatus.WON.value) if ended else None,
                first_target=None if first_target is None else _EPOCH + dt.timedelta(first_target),
            )
        )
    return outcomes


_cache_lock = threading.Lock()
_cache: dict[int, tuple[tuple[Any, ...], Learned]] = {}


def _fingerprint(workspace: Workspace, as_of: dt.date) -> tuple[Any, ...]:
    """Changes whenever anything the history reads may have changed."""
    plans = Plan.objects.filter(workspace=workspace).aggregate(n=Count("id"), at=Max("updated_at"))
    latest = Activity.objects.filter(plan__workspace=workspace).aggregate(at=Max("id"))["at"]
    return (as_of, plans["n"], plans["at"], latest)


def learned_durations(workspace: Workspace, as_of: dt.date) -> Learned:
    """What each step of the workspace's plans draws its duration from, learned from the
    history known on `as_of`; kept per process until the history changes."""
    key = _fingerprint(workspace, as_of)
    with _cache_lock:
        kept = _cache.get(workspace.pk)
    if kept is not None and kept[0] == key:
        return kept[1]
    learned = learn(step_columns(workspace, as_of))
    with _cache_lock:
        _cache[workspace.pk] = (key, learned)
    return learned

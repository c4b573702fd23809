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
building the plan are not slips of the step), each with its reason, in the order of the
slips.

The realistic turnarounds new plans take and compressed dates check against
(`realistic_turnarounds`) come from the same history, kept for the day.

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
from mutualplan.core.durations import StepColumns, Suggestion, duration_table
from mutualplan.core.durations import realistic_turnarounds as suggestions_of
from mutualplan.core.learned import Learned, learn
from mutualplan.core.vocab import CLOSED_PLAN_STATUSES, PlanStatus, SlipReason, StepType
from mutualplan.crm.reader import outcome_of
from mutualplan.plans.models import Activity, Plan
from mutualplan.workspaces.models import Workspace

_EPOCH = dt.date(1970, 1, 1)
# Stands for "never" among epoch days (a prerequisite not completed, a date not set).
_NEVER = np.iinfo(np.int64).max // 4


def _day(column: str) -> str:
    """SQL for the epoch day (days since 1970-01-01) of a date or timestamp column."""
    if connection.vendor == "postgresql":
        return f"(CAST({column} AS date) - DATE '1970-01-01')"
    # julianday reads SQLite's text dates and timestamps alike; the shift keeps the cast's
    # truncation a floor for any day after 800 BC.
    return f"(CAST(julianday({column}) - 2440587.5 + 1000000 AS INTEGER) - 1000000)"


def _epoch(day: dt.date) -> int:
    return (day - _EPOCH).days


def _fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# A million rows fetched one tuple at a time cost seconds. So every per-step query reads
# integer columns (no value NULL) straight into numpy: on SQLite each column joined into one
# comma-separated text by the database and parsed by numpy; on PostgreSQL as one array in
# its binary form, fixed-width, viewed as a numpy record array.
_NULL = -1  # stands for NULL in a column of counts (none is negative); days use _NEVER


def _fetch_columns(
    expressions: Sequence[str], source: str, params: Sequence[Any]
) -> list[npt.NDArray[np.int64]]:
    """Each expression over the rows of `source` (FROM and WHERE), as int64 columns in the
    same row order (not a given order: callers sort by an id column)."""
    if connection.vendor == "postgresql":
        return _sent_arrays(expressions, source, params)
    joined = ", ".join(f"group_concat({e})" for e in expressions)
    (row,) = _fetch(f"SELECT {joined} {source}", params)
    return [
        np.fromstring(text, dtype=np.int64, sep=",") if text else np.array([], dtype=np.int64)
        for text in row
    ]


# On PostgreSQL each column is aggregated into one array sent in its binary form: a 20-byte
# header (dimensions, flags, element type, length, lower bound), then per element its length
# (int32) and value (int64 here). (A COPY out hands the client one message per row.)
_ARRAY_HEADER = 20
_ELEMENT = np.dtype([("length", ">i4"), ("value", ">i8")])


def _sent_arrays(
    expressions: Sequence[str], source: str, params: Sequence[Any]
) -> list[npt.NDArray[np.int64]]:
    import psycopg  # only on PostgreSQL

    sent = ", ".join(f"array_send(array_agg(CAST({e} AS bigint)))" for e in expressions)
    with connection.cursor() as cursor:
        # Asked for in binary (a cursor binding on the server): bytea as is, not in hex.
        binary = psycopg.Cursor(cursor.cursor.connection)
        binary.execute(f"SELECT {sent} {source}", params, binary=True)
        row = binary.fetchone()
    assert row is not None
    return [
        np.array([], dtype=np.int64)
        if data is None
        else np.frombuffer(bytes(data), _ELEMENT, offset=_ARRAY_HEADER)["value"].astype(np.int64)
        for data in row
    ]


def _coded(column: str, names: Sequence[str]) -> tuple[str, list[str]]:
    """SQL for each value's index in `names` (len(names) for any other value), and its
    parameters."""
    if not names:
        return "0", []
    whens = " ".join("WHEN %s THEN " + str(i) for i in range(len(names)))
    return f"CASE {column} {whens} ELSE {len(names)} END", list(names)


def _or_null(expression: str, null: int = _NEVER) -> str:
    return f"COALESCE({expression}, {null})"


# A day packed with others in one int64: shifted by _DAY_SHIFT into _DAY_BITS bits (about
# 23,000 years either side of 1970), all ones for no day. Step type codes sit above bit
# _STEP_AT, account type codes (up to 65,536 of them) between it and the day.
_DAY_BITS = 24
_DAY_SHIFT = 1 << 23
_DAY_MASK = (1 << _DAY_BITS) - 1
_STEP_AT = 40


def _packed_day(expression: str) -> str:
    return f"COALESCE({expression} + {_DAY_SHIFT}, {_DAY_MASK})"


def _unpacked_day(values: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    day = values & _DAY_MASK
    return np.where(day == _DAY_MASK, _NEVER, day - _DAY_SHIFT)


def step_columns(workspace: Workspace, as_of: dt.date) -> StepColumns:
    """Every started step of the workspace's plans as known on `as_of`, column by column."""
    today = _epoch(as_of)
    step_names = [str(t) for t in StepType]
    account_names = [
        row[0]
        for row in _fetch(
            "SELECT DISTINCT account_type FROM plans_deal WHERE workspace_id = %s ORDER BY 1",
            [workspace.pk],
        )
    ]
    step_sql, step_params = _coded("m.step_type", step_names)
    if len(account_names) >= 1 << (_STEP_AT - _DAY_BITS):
        raise ValueError("more than 65,535 account types cannot be learned from")
    account_sql, account_params = _coded("d.account_type", account_names)
    closed = ", ".join(f"'{s}'" for s in sorted(CLOSED_PLAN_STATUSES))
    closed_day_sql = f"CASE WHEN p.status IN ({closed}) THEN {_day('d.close_date')} END"
    # One row per step. Small values travel packed: (step type, account type, close day),
    # (added day, completed day), and the turnaround or else the baseline due day.
    fence = "OFFSET 0" if connection.vendor == "postgresql" else ""
    row_ids, kinds, days_packed, planned = _fetch_columns(
        [
            "m.id",
            f"CAST({step_sql} AS bigint) * {1 << _STEP_AT} + pd.packed",
            f"""CAST({_day("m.added_at")} + {_DAY_SHIFT} AS bigint) * {1 << _DAY_BITS}
                + {_packed_day(_day("m.completed_at"))}""",
            f"""COALESCE(
                m.turnaround_days, -2 - ({_day("m.baseline_due_date")} + {_DAY_SHIFT}), {_NULL}
            )""",
        ],
        # Each plan's account type and close day are worked out once per plan (OFFSET 0
        # keeps PostgreSQL from doing it once per milestone).
        f"""FROM (
            SELECT p.id, CAST({account_sql} AS bigint) * {1 << _DAY_BITS}
                + {_packed_day(closed_day_sql)} AS packed
            FROM plans_plan p JOIN plans_deal d ON d.id = p.deal_id
            WHERE p.workspace_id = %s AND p.status <> 'draft'
            {fence}
        ) pd
        JOIN plans_milestone m ON m.plan_id = pd.id""",
        [*step_params, *account_params, workspace.pk],
    )
    if not row_ids.size:
        return _empty_columns()
    order = np.argsort(row_ids)
    id_array = row_ids[order]
    kinds, days_packed, planned = kinds[order], days_packed[order], planned[order]
    # The prerequisites on their own, read by the range of the rows' ids: joining them to
    # the workspace's rows costs PostgreSQL more than reading the few links of other
    # workspaces' rows in that range, which the membership test below drops.
    dependent_ids, pre_ids = _fetch_columns(
        ["x.from_milestone_id", "x.to_milestone_id"],
        "FROM plans_milestone_depends_on x WHERE x.from_milestone_id BETWEEN %s AND %s",
        [int(id_array[0]), int(id_array[-1])],
    )
    step_code = kinds >> _STEP_AT
    account_code = (kinds >> _DAY_BITS) & ((1 << (_STEP_AT - _DAY_BITS)) - 1)
    closed_day = _unpacked_day(kinds)
    added_day = (days_packed >> _DAY_BITS) - _DAY_SHIFT
    done_day = _unpacked_day(days_packed)
    turnaround = np.where(planned >= 0, planned, _NULL)
    baseline = np.where(planned <= -2, -2 - planned - _DAY_SHIFT, _NEVER)
    step_labels = _other_names(step_code, step_names, step_names, id_array, "m", workspace)
    n = id_array.size

    # The day each row's last prerequisite was completed (_NEVER if one was not by as_of).
    ready = np.full(n, np.iinfo(np.int64).min, dtype=np.int64)
    at = np.minimum(np.searchsorted(id_array, dependent_ids), n - 1)
    pre_at = np.minimum(np.searchsorted(id_array, pre_ids), n - 1)
    # Links of rows outside the workspace's committed plans are dropped, and so are
    # prerequisites outside them (none is).
    found = (id_array[at] == dependent_ids) & (id_array[pre_at] == pre_ids)
    if found.any():
        pre_day = done_day[pre_at[found]]
        np.maximum.at(ready, at[found], np.where(pre_day <= today, pre_day, _NEVER))
    start = np.maximum(added_day, ready)
    finished = done_day <= today
    end = np.where(finished, done_day, np.minimum(today, closed_day))
    keep = (start <= today) & (added_day <= today)
    # A row completed before its prerequisites (out-of-order records) took no time.
    days = np.maximum(end - start, 0)[keep]

    turnaround_days = np.where(turnaround == _NULL, np.nan, turnaround.astype(np.float64))
    baseline_day = np.where(baseline >= _NEVER, np.nan, baseline.astype(np.float64))
    planned = np.where(np.isnan(turnaround_days), baseline_day - start, turnaround_days)

    # Slips after commitment known by as_of, one entry each.
    slipped = np.zeros(n, dtype=np.int64)
    reason_names = [str(r) for r in SlipReason]
    reason_sql, reason_params = _coded("s.reason_category", ["", *reason_names])
    slip_rows, slip_days, reason_code, slip_ids = _fetch_columns(
        ["s.milestone_id", "s.days", reason_sql, "s.id"],
        f"""FROM plans_slip s
        JOIN plans_plan p ON p.id = s.plan_id
        WHERE p.workspace_id = %s AND p.status <> 'draft' AND s.milestone_id IS NOT NULL
          AND s.days > 0 AND s.during_build = %s AND {_day("s.created_at")} <= %s""",
        [*reason_params, workspace.pk, False, today],
    )
    reason_labels = _other_names(
        reason_code, ["unstated", *reason_names], ["", *reason_names], slip_ids, "s", workspace
    )
    if slip_rows.size:
        by_id = np.argsort(slip_ids, kind="stable")
        slip_rows, slip_days, reason_code = slip_rows[by_id], slip_days[by_id], reason_code[by_id]
        at = np.searchsorted(id_array, slip_rows)
        found = (at < n) & (id_array[np.minimum(at, n - 1)] == slip_rows)
        np.add.at(slipped, at[found], slip_days[found])
        reason_at, reason_code = at[found], reason_code[found]
    else:
        reason_at = np.array([], dtype=np.int64)
    # Slip reasons point at rows of the kept subset, renumbered.
    renumber = np.cumsum(keep) - 1
    kept_reason = keep[reason_at]
    return StepColumns.coded(
        {
            "step_type": (step_labels, step_code[keep]),
            "account_type": (account_names, account_code[keep]),
            "reason": (reason_labels, reason_code[kept_reason]),
        },
        days=days.astype(np.int64),
        finished=finished[keep],
        planned_days=planned[keep],
        slipped_days=slipped[keep],
        reason_step=renumber[reason_at[kept_reason]].astype(np.int64),
    )


def _other_names(
    codes: npt.NDArray[np.int64],
    labels: list[str],
    known: list[str],
    ids: npt.NDArray[np.int64],
    alias: str,
    workspace: Workspace,
) -> list[str]:
    """`labels` (one per `known` stored value) plus any stored value the coding SQL did not
    know (coded len(known)), each such row recoded: a step type or slip reason outside the
    vocabulary is rare (old or raw data) and read on its own."""
    other = len(known)
    if not (codes == other).any():
        return labels
    table, column = (
        ("plans_milestone", "step_type") if alias == "m" else ("plans_slip", "reason_category")
    )
    marks = ", ".join(["%s"] * len(known))
    rows = _fetch(
        f"""SELECT {alias}.id, {alias}.{column} FROM {table} {alias}
        JOIN plans_plan p ON p.id = {alias}.plan_id
        WHERE p.workspace_id = %s AND {alias}.{column} NOT IN ({marks})""",
        [workspace.pk, *known],
    )
    extra = sorted({value for _, value in rows})
    code_of = {value: other + i for i, value in enumerate(extra)}
    value_of = dict(rows)
    for i in np.flatnonzero(codes == other):
        codes[i] = code_of[value_of[int(ids[i])]]
    return labels + extra


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
    lost plan closed on its deal's close date, else on the plan's last change; a deal with no
    plan (imported from a CRM as history) is won or lost by its CRM stage, on its close date."""
    sql = f"""
        SELECT d.account_type, {_day("d.created_at")}, p.status, d.stage,
               {_day("d.close_date")}, {_day("p.updated_at")},
               {_day("p.baseline_target_date")}, {_day("p.target_date")}
        FROM plans_deal d LEFT JOIN plans_plan p ON p.deal_id = d.id
        WHERE d.workspace_id = %s AND {_day("d.created_at")} <= %s"""
    today = _epoch(as_of)
    outcomes = []
    for account, created, status, stage, close, updated, baseline, target in _fetch(
        sql, [workspace.pk, today]
    ):
        if status is None:
            status = {"won": PlanStatus.WON.value, "lost": PlanStatus.LOST.value}.get(
                outcome_of(stage), PlanStatus.ACTIVE.value
            )
        closed = close if close is not None else updated
        first_target = baseline if baseline is not None else target
        ended = status in CLOSED_PLAN_STATUSES and closed is not None and closed <= today
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


# Realistic turnarounds are read where a plan is made or its health computed, so a hit costs
# no query: kept per workspace for the day. A history that changed during the day (a step
# completed, a deal closed) takes effect the next day, when every plan's stored health is
# recomputed anyway (`plans.health.refresh_health` recomputes each plan daily).
_realistic_cache: dict[int, tuple[tuple[Any, ...], dict[tuple[str, str], Suggestion]]] = {}


def realistic_turnarounds(
    workspace: Workspace, today: dt.date
) -> dict[tuple[str, str], Suggestion]:
    """{(step type, account type): Suggestion} of the workspace's history as known on
    `today`, where at least MIN_OBSERVATIONS steps back the P80; kept for the day."""
    key = (workspace.created_at, today)
    with _cache_lock:
        kept = _realistic_cache.get(workspace.pk)
    if kept is not None and kept[0] == key:
        return kept[1]
    found = suggestions_of(duration_table(step_columns(workspace, today)))
    with _cache_lock:
        _realistic_cache[workspace.pk] = (key, found)
    return found


def forget_realistic_turnarounds(workspace: Workspace) -> None:
    """Read the history again at the next ask (after an import of history, say)."""
    with _cache_lock:
        _realistic_cache.pop(workspace.pk, None)

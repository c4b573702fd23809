"""Step durations learned from history: turnaround per step type × account type, with open
steps right-censored (Kaplan–Meier), small groups shrunk toward their step type, and the
"realistic turnaround" suggestion new plans use. Pure: plain dataclasses in, tables out."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from mutualplan.core.survival import Curve, Quantile, blend, kaplan_meier, quantile
from mutualplan.core.vocab import label

# Shrinkage strength: a group of n observations keeps weight n / (n + k) on its own curve and
# lends the rest to its step type's. k = 10 means a group of 10 is trusted half-way.
SHRINKAGE_K = 10
# Fewer observations than this and no realistic turnaround is suggested (template default).
MIN_OBSERVATIONS = 8
TOP_REASONS = 3


@dataclass(frozen=True)
class StepObservation:
    """One milestone of one deal, as known on `as_of`. A step with no `finished`, or finished
    after `as_of`, is still open: it has lasted `as_of - started` days so far (censored)."""

    step_type: str
    account_type: str
    started: dt.date
    finished: dt.date | None
    as_of: dt.date
    planned_days: int | None = None
    slipped_days: int = 0  # total days its due date moved later, 0 if never
    slip_reasons: tuple[str, ...] = ()  # one entry per slip

    def __post_init__(self) -> None:
        if self.started > self.as_of:
            raise ValueError("a step that had not started by as_of is not an observation")
        if self.finished is not None and self.finished < self.started:
            raise ValueError("a step cannot finish before it started")
        if self.slipped_days < 0:
            raise ValueError("slipped_days counts days moved later, never negative")

    @property
    def is_finished(self) -> bool:
        return self.finished is not None and self.finished <= self.as_of

    @property
    def days(self) -> int:
        """Actual turnaround if finished, else the days it has been open so far."""
        end = self.finished if self.is_finished and self.finished else self.as_of
        return (end - self.started).days


@dataclass(frozen=True)
class Figure:
    """One number of the table with what it rests on. `value` is None with no data or when
    the quantile was not reached (`at_least` then bounds it). `raw` is the group's own
    estimate when `shrunk` blended it toward the step type's."""

    value: float | None
    rests_on: int
    shrunk: bool = False
    raw: float | None = None
    at_least: float | None = None


@dataclass(frozen=True)
class DurationRow:
    """Turnaround statistics of one step type, for one account type or (None) all of them."""

    step_type: str
    account_type: str | None
    observations: int
    finished: int
    open: int
    median: Figure
    p80: Figure
    planned_vs_actual: Figure  # mean actual - planned days, finished steps with a plan
    slip_share: Figure  # share of steps whose due date moved later
    mean_days_slipped: Figure  # mean days moved, among the steps that slipped
    top_reasons: tuple[tuple[str, int], ...]  # (reason, slips) most frequent first
    curve: Curve  # the (shrunk, for a group) survival curve the quantiles come from


def _quantile_figure(shrunk: Curve, own: Curve, q: float, weight: float) -> Figure:
    estimate: Quantile = quantile(shrunk, q)
    raw = quantile(own, q).days
    return Figure(estimate.days, own.n, weight < 1.0, raw, estimate.at_least)


@dataclass(frozen=True)
class StepColumns:
    """The same observations column by column, what a shell can read straight from a query
    (and what keeps a million milestones fast). `planned_days` is NaN where there was no
    plan; each slip reason is one entry of `reason` with its step's index in `reason_step`."""

    step_type: npt.NDArray[np.str_]
    account_type: npt.NDArray[np.str_]
    days: npt.NDArray[np.int64]
    finished: npt.NDArray[np.bool_]
    planned_days: npt.NDArray[np.float64]
    slipped_days: npt.NDArray[np.int64]
    reason_step: npt.NDArray[np.int64]
    reason: npt.NDArray[np.str_]
    # The same names as sorted distinct values and each entry's index among them, when the
    # shell read them as codes (`coded`); else worked out here, once, when first asked.
    _codes: dict[str, tuple[npt.NDArray[np.str_], npt.NDArray[np.intp]]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        n = len(self.days)
        columns = (self.step_type, self.account_type, self.finished, self.planned_days)
        if any(len(column) != n for column in (*columns, self.slipped_days)):
            raise ValueError("every step column must have one entry per step")
        if len(self.reason_step) != len(self.reason):
            raise ValueError("reason_step and reason must have the same length")
        if n and (self.days.min() < 0 or self.slipped_days.min() < 0):
            raise ValueError("days and slipped_days must not be negative")
        if len(self.reason_step) and not 0 <= self.reason_step.min() <= self.reason_step.max() < n:
            raise ValueError("reason_step must index a step")

    def categories(self, name: str) -> tuple[npt.NDArray[np.str_], npt.NDArray[np.intp]]:
        """The sorted distinct values of the column `name` (step_type, account_type or
        reason) and each entry's index among them, as `np.unique(..., return_inverse=True)`."""
        if name not in self._codes:
            names, codes = np.unique(getattr(self, name), return_inverse=True)
            self._codes[name] = (names, codes.astype(np.intp))
        return self._codes[name]

    @classmethod
    def coded(
        cls,
        categories: dict[str, tuple[Sequence[str], npt.NDArray[np.integer]]],
        **columns: npt.NDArray[np.generic],
    ) -> StepColumns:
        """The columns with step_type, account_type and reason given as (names, codes): each
        entry is names[code]. These three columns are then arrays of the names' own str
        objects (dtype object): a million fixed-width strings cost half a second to build,
        and sorting them to find the groups again as much."""
        decoded: dict[str, npt.NDArray[np.str_]] = {}
        codes: dict[str, tuple[npt.NDArray[np.str_], npt.NDArray[np.intp]]] = {}
        for name, (names, given) in categories.items():
            labels = np.array(list(names), dtype=np.str_)
            distinct = np.unique(labels)
            # Each name's index among the sorted distinct names (a name given twice: one).
            code = np.searchsorted(distinct, labels)[np.asarray(given, dtype=np.intp)]
            decoded[name] = distinct.astype(object)[code]
            codes[name] = (distinct, code.astype(np.intp))
        made = cls(**decoded, **columns)  # type: ignore[arg-type]
        made._codes.update(codes)
        return made

    @classmethod
    def of(cls, observations: Sequence[StepObservation]) -> StepColumns:
        n = len(observations)
        reasons = [(i, r) for i, o in enumerate(observations) for r in o.slip_reasons]
        return cls(
            step_type=np.array([o.step_type for o in observations], dtype=np.str_),
            account_type=np.array([o.account_type for o in observations], dtype=np.str_),
            days=np.fromiter((o.days for o in observations), np.int64, n),
            finished=np.fromiter((o.is_finished for o in observations), np.bool_, n),
            planned_days=np.array(
                [np.nan if o.planned_days is None else o.planned_days for o in observations],
                dtype=np.float64,
            ),
            slipped_days=np.fromiter((o.slipped_days for o in observations), np.int64, n),
            reason_step=np.array([i for i, _ in reasons], dtype=np.int64),
            reason=np.array([r for _, r in reasons], dtype=np.str_),
        )


def _mean(values: npt.NDArray[np.float64]) -> Figure:
    return Figure(float(values.mean()) if values.size else None, int(values.size))


def _top(counts: npt.NDArray[np.int64], names: npt.NDArray[np.str_]) -> tuple[tuple[str, int], ...]:
    # Names come sorted from np.unique, so a stable sort on -count breaks ties by name.
    best = np.argsort(-counts, kind="stable")[:TOP_REASONS]
    return tuple((str(names[i]), int(counts[i])) for i in best if counts[i] > 0)


def _row(
    key: tuple[str, str | None],
    columns: StepColumns,
    rows: npt.NDArray[np.intp],
    reasons: tuple[tuple[str, int], ...],
    parent: Curve | None,
    k: float,
) -> DurationRow:
    days = columns.days[rows].astype(np.float64)
    done = columns.finished[rows]
    own = kaplan_meier(days, done)
    weight = 1.0 if parent is None else rows.size / (rows.size + k)
    curve = own if parent is None or weight == 1.0 else blend(own, parent, weight)
    planned = columns.planned_days[rows]
    with_plan = done & ~np.isnan(planned)
    moved = columns.slipped_days[rows]
    slipped = moved[moved > 0].astype(np.float64)
    return DurationRow(
        step_type=key[0],
        account_type=key[1],
        observations=int(rows.size),
        finished=int(done.sum()),
        open=int(rows.size - done.sum()),
        median=_quantile_figure(curve, own, 0.5, weight),
        p80=_quantile_figure(curve, own, 0.8, weight),
        planned_vs_actual=_mean(days[with_plan] - planned[with_plan]),
        slip_share=Figure(slipped.size / rows.size if rows.size else None, int(rows.size)),
        mean_days_slipped=_mean(slipped),
        top_reasons=reasons,
        curve=curve,
    )


def duration_table(
    observations: Sequence[StepObservation] | StepColumns, k: float = SHRINKAGE_K
) -> list[DurationRow]:
    """For each step type, its overall row (account_type None) followed by one row per
    account type, both sorted by name. Group quantiles are read from the group's curve
    blended toward the step type's with weight n / (n + k); k = 0 turns shrinkage off."""
    if k < 0:
        raise ValueError("k must not be negative")
    columns = (
        observations if isinstance(observations, StepColumns) else StepColumns.of(observations)
    )
    if columns.days.size == 0:
        return []
    types, type_code = columns.categories("step_type")
    accounts, account_code = columns.categories("account_type")
    n_accounts = accounts.size
    group = type_code * n_accounts + account_code
    order = np.argsort(group, kind="stable")
    bounds = np.searchsorted(group[order], np.arange(types.size * n_accounts + 1))
    reasons, reason_code = columns.categories("reason")
    pairs = group[columns.reason_step] * reasons.size + reason_code
    n_groups = types.size * n_accounts
    by_group = np.bincount(pairs, minlength=n_groups * reasons.size)
    by_group = by_group.reshape(n_groups, reasons.size)
    by_type = by_group.reshape(types.size, n_accounts, reasons.size).sum(axis=1)

    table: list[DurationRow] = []
    for t, step_type in enumerate(types.tolist()):
        everyone = order[bounds[t * n_accounts] : bounds[(t + 1) * n_accounts]]
        overall = _row((step_type, None), columns, everyone, _top(by_type[t], reasons), None, k)
        table.append(overall)
        for a, account in enumerate(accounts.tolist()):
            g = t * n_accounts + a
            rows = order[bounds[g] : bounds[g + 1]]
            if rows.size:
                top = _top(by_group[g], reasons)
                table.append(_row((step_type, account), columns, rows, top, overall.curve, k))
    return table


@dataclass(frozen=True)
class Suggestion:
    step_type: str
    account_type: str
    days: int
    observations: int

    @property
    def basis(self) -> str:
        """What the days rest on: 'P80 of 41 enterprise deals'."""
        return f"P80 of {self.observations} {_label(self.account_type)} deals"

    @property
    def text(self) -> str:
        """'Security review: realistic 43 days — P80 of 41 enterprise deals'."""
        return f"{label(self.step_type)}: realistic {self.days} days — {self.basis}"


def realistic_turnarounds(
    table: Sequence[DurationRow], min_observations: int = MIN_OBSERVATIONS
) -> dict[tuple[str, str], Suggestion]:
    """Every (step type, account type) of the table with a realistic turnaround."""
    found = {}
    for row in table:
        suggestion = _suggestion(row, min_observations)
        if suggestion is not None:
            found[(suggestion.step_type, suggestion.account_type)] = suggestion
    return found


def _label(value: str) -> str:
    return value.replace("_", " ")


def realistic_turnaround(
    table: Sequence[DurationRow],
    step_type: str,
    account_type: str,
    min_observations: int = MIN_OBSERVATIONS,
) -> Suggestion | None:
    """The (shrunk) P80 turnaround of the step type for the account type, rounded up to whole
    days, when at least `min_observations` steps back it and the curve reaches P80; else None
    so the caller keeps the template default."""
    for row in table:
        if row.step_type == step_type and row.account_type == account_type:
            return _suggestion(row, min_observations)
    return None


def _suggestion(row: DurationRow, min_observations: int) -> Suggestion | None:
    """The realistic turnaround of one account type's row, or None (a step type's overall
    row, too few observations, or a curve that never reaches P80)."""
    if row.account_type is None:
        return None
    if row.observations < min_observations or row.p80.value is None:
        return None
    return Suggestion(row.step_type, row.account_type, math.ceil(row.p80.value), row.observations)

"""Step durations learned from history: turnaround per step type × account type, with open
steps right-censored (Kaplan–Meier), small groups shrunk toward their step type, and the
"realistic turnaround" suggestion new plans use. Pure: plain dataclasses in, tables out."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mutualplan.core.survival import Curve, Quantile, blend, kaplan_meier, quantile

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


def _mean(values: list[float]) -> Figure:
    return Figure(float(np.mean(values)) if values else None, len(values))


def _row(
    step_type: str,
    account_type: str | None,
    rows: Sequence[StepObservation],
    parent: Curve | None,
    k: float,
) -> DurationRow:
    durations = np.fromiter((o.days for o in rows), dtype=np.float64, count=len(rows))
    done = np.fromiter((o.is_finished for o in rows), dtype=bool, count=len(rows))
    own = kaplan_meier(durations, done)
    weight = 1.0 if parent is None else len(rows) / (len(rows) + k)
    curve = own if parent is None or weight == 1.0 else blend(own, parent, weight)
    slipped = [float(o.slipped_days) for o in rows if o.slipped_days > 0]
    reasons = Counter(reason for o in rows for reason in o.slip_reasons)
    top = sorted(reasons.items(), key=lambda item: (-item[1], item[0]))[:TOP_REASONS]
    return DurationRow(
        step_type=step_type,
        account_type=account_type,
        observations=len(rows),
        finished=int(done.sum()),
        open=int((~done).sum()),
        median=_quantile_figure(curve, own, 0.5, weight),
        p80=_quantile_figure(curve, own, 0.8, weight),
        planned_vs_actual=_mean(
            [o.days - o.planned_days for o in rows if o.is_finished and o.planned_days is not None]
        ),
        slip_share=Figure(len(slipped) / len(rows) if rows else None, len(rows)),
        mean_days_slipped=_mean(slipped),
        top_reasons=tuple(top),
        curve=curve,
    )


def duration_table(
    observations: Sequence[StepObservation], k: float = SHRINKAGE_K
) -> list[DurationRow]:
    """For each step type, its overall row (account_type None) followed by one row per
    account type, both sorted by name. Group quantiles are read from the group's curve
    blended toward the step type's with weight n / (n + k); k = 0 turns shrinkage off."""
    if k < 0:
        raise ValueError("k must not be negative")
    by_type: dict[str, dict[str, list[StepObservation]]] = {}
    for obs in observations:
        by_type.setdefault(obs.step_type, {}).setdefault(obs.account_type, []).append(obs)
    table: list[DurationRow] = []
    for step_type in sorted(by_type):
        groups = by_type[step_type]
        everyone = [obs for account in sorted(groups) for obs in groups[account]]
        overall = _row(step_type, None, everyone, None, k)
        table.append(overall)
        for account in sorted(groups):
            table.append(_row(step_type, account, groups[account], overall.curve, k))
    return table


@dataclass(frozen=True)
class Suggestion:
    step_type: str
    account_type: str
    days: int
    observations: int
    text: str


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
            break
    else:
        return None
    if row.observations < min_observations or row.p80.value is None:
        return None
    days = math.ceil(row.p80.value)
    text = (
        f"{_label(step_type).capitalize()}: realistic {days} days — "
        f"P80 of {row.observations} {_label(account_type)} deals"
    )
    return Suggestion(step_type, account_type, days, row.observations, text)

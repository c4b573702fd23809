"""Close-date forecast of a plan: Monte Carlo over its remaining steps. Pure (numpy).

Each remaining step's duration is drawn from an empirical sample of how long steps of its kind
took (`Durations`, open observations weighted as Kaplan–Meier does); an open step is
conditioned on the days already spent in it. Finish times run through the dependency graph
level by level, so parallel tracks merge at the step that needs them, and the plan finishes
when its last step does. All samples of all plans of a batch are computed together in numpy.

Seeding: every plan carries its own `seed`, and its uniform draws come from
`numpy.random.default_rng(seed)` as one (steps × samples) float32 array, steps in a
topological order fixed by the plan alone, so a plan forecast alone or inside `forecast_many`
gives identical results.

Speed: durations and finish times are float32 in column-major (samples × columns) arrays, the
columns of a batch sorted by level so that each level is one contiguous block; draws go
through a lookup table (`forecast_draws`); criticality counts the columns a backward walk
meets; quantiles come from one cumulated histogram of whole days per plan.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from mutualplan.core.forecast_draws import (
    OVERDUE_REMAINING_DAYS,
    Durations,
    StepDraws,
    draw_durations,
    step_draws,
)
from mutualplan.core.schedule import DependencyCycle, find_cycle

__all__ = [
    "OVERDUE_REMAINING_DAYS",
    "DependencyCycle",
    "Durations",
    "PlanForecast",
    "PlanToForecast",
    "RemainingStep",
    "StepForecast",
    "forecast",
    "forecast_many",
]

DEFAULT_SAMPLES = 2_000
# Samples × columns of one batch: bounds memory (about 60 MB peak: float32 and int32) and
# measured fastest (1 to 8 million within noise).
_BATCH_CELLS = 4_000_000
# The quantiles a forecast reports: its fan (0.1 to 0.9), of which P50, P80 and P90 are named.
FAN_QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.8, 0.9)
_QUANTILES = FAN_QUANTILES
# Days are float32 (7 significant digits): a finish this little past a whole day (about 86 s)
# counts as that day, so float rounding never adds a day.
_DAY_TOLERANCE = 1e-3


@dataclass(frozen=True)
class RemainingStep:
    """A step still to finish. Dependencies on steps that are not remaining count as done."""

    id: str
    durations: Durations
    depends_on: tuple[str, ...] = ()
    in_progress: bool = False
    days_spent: float = 0.0


@dataclass(frozen=True)
class PlanToForecast:
    """The remaining steps of one plan, its dates, and the seed of its draws."""

    steps: tuple[RemainingStep, ...]
    today: dt.date
    target: dt.date
    quarter_end: dt.date
    seed: int = 0
    # More dates to give the chance of finishing by (say, the ends of coming quarters).
    horizons: tuple[dt.date, ...] = ()


@dataclass(frozen=True)
class StepForecast:
    """`criticality`: share of samples in which the step is on the longest path (of tracks
    finishing at the same moment, the first dependency listed counts as the critical one).
    `beyond_history`: open longer than any recorded duration, so its remaining time is a guess
    (OVERDUE_REMAINING_DAYS)."""

    id: str
    criticality: float
    beyond_history: bool


@dataclass(frozen=True)
class PlanForecast:
    """Chances of finishing by the target and by the quarter end; the dates by which half,
    80 % and 90 % of the samples finish (a fractional day counts as the whole day, except
    under about 86 seconds past it: the float32 rounding of the sums)."""

    samples: int
    p_by_target: float
    p_by_quarter_end: float
    p50: dt.date
    p80: dt.date
    p90: dt.date
    steps: tuple[StepForecast, ...]
    # (quantile, date) for each of FAN_QUANTILES: the fan chart's edges.
    fan: tuple[tuple[float, dt.date], ...] = ()
    # The chance of finishing by each of the plan's `horizons`, in their order.
    p_by_horizon: tuple[float, ...] = ()


@dataclass(frozen=True)
class _Layout:
    """One plan's steps in a topological order with their local predecessors and levels."""

    plan: PlanToForecast
    draws: tuple[StepDraws, ...]
    preds: tuple[tuple[int, ...], ...]
    levels: tuple[int, ...]
    sinks: tuple[int, ...]
    positions: tuple[int, ...]  # of each input step in the topological order


def forecast(plan: PlanToForecast, samples: int = DEFAULT_SAMPLES) -> PlanForecast:
    """Forecast one plan; raises DependencyCycle or ValueError on bad input."""
    return forecast_many([plan], samples)[0]


def forecast_many(
    plans: Sequence[PlanToForecast], samples: int = DEFAULT_SAMPLES
) -> list[PlanForecast]:
    """Forecast many plans in a few vectorised batches; the same result as one by one."""
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 1:
        raise ValueError(f"samples must be a positive whole number, not {samples!r}")
    # Check every plan before any work, so a bad plan refuses the whole call.
    layouts = [_layout(plan) for plan in plans]
    results: list[PlanForecast] = []
    batch: list[_Layout] = []
    cells = 0
    for layout in layouts:
        width = (len(layout.draws) + 1) * samples
        if batch and cells + width > _BATCH_CELLS:
            results.extend(_run(batch, samples))
            batch, cells = [], 0
        batch.append(layout)
        cells += width
    if batch:
        results.extend(_run(batch, samples))
    return results


def _layout(plan: PlanToForecast) -> _Layout:
    if isinstance(plan.seed, bool) or not isinstance(plan.seed, int) or plan.seed < 0:
        raise ValueError(f"the seed must be a whole number, zero or more, not {plan.seed!r}")
    order, preds, levels, sinks, positions = _shape(
        tuple((step.id, tuple(step.depends_on)) for step in plan.steps)
    )
    return _Layout(
        plan=plan,
        draws=tuple(_draws(plan.steps[i]) for i in order),
        preds=preds,
        levels=levels,
        sinks=sinks,
        positions=positions,
    )


_Shape = tuple[
    tuple[int, ...], tuple[tuple[int, ...], ...], tuple[int, ...], tuple[int, ...], tuple[int, ...]
]


@functools.lru_cache(maxsize=1_024)
def _shape(steps: tuple[tuple[str, tuple[str, ...]], ...]) -> _Shape:
    """The topological order of the steps (id, dependencies), each step's predecessors
    and level in it, the sinks, and each step's position: kept per graph, since the plans
    of one template share it. Raises ValueError or DependencyCycle (never kept)."""
    ids = [key for key, _ in steps]
    if len(set(ids)) != len(ids):
        twice = sorted({i for i in ids if ids.count(i) > 1})
        raise ValueError(f"step ids must be unique; repeated: {', '.join(twice)}")
    remaining = set(ids)
    graph = {key: tuple(d for d in needs if d in remaining) for key, needs in steps}
    cycle = find_cycle(graph)
    if cycle:
        raise DependencyCycle(cycle)
    level: dict[str, int] = {}
    pending = list(ids)
    while pending:  # no cycle, so every pass settles at least one step
        waiting = []
        for key in pending:
            if all(d in level for d in graph[key]):
                level[key] = 1 + max((level[d] for d in graph[key]), default=0)
            else:
                waiting.append(key)
        pending = waiting
    order = sorted(range(len(ids)), key=lambda i: level[ids[i]])
    position = {ids[i]: n for n, i in enumerate(order)}
    needed = {d for deps in graph.values() for d in deps}
    return (
        tuple(order),
        tuple(tuple(position[d] for d in dict.fromkeys(graph[ids[i]])) for i in order),
        tuple(level[ids[i]] for i in order),
        tuple(position[key] for key in ids if key not in needed),
        tuple(position[key] for key in ids),
    )


def _draws(step: RemainingStep) -> StepDraws:
    return step_draws(step.durations, step.in_progress, step.days_spent)


def _run(batch: Sequence[_Layout], samples: int) -> list[PlanForecast]:
    """One vectorised pass over a batch. Column 0 is "today" (finish 0); then the steps of
    every plan, sorted by level so that each level is one contiguous block of columns; then
    one end column per plan that needs the plan's sinks and takes no time."""
    offsets = np.cumsum([0] + [len(layout.draws) for layout in batch])
    n_steps = int(offsets[-1])
    end_cols = n_steps + 1 + np.arange(len(batch))
    n_cols = n_steps + 1 + len(batch)
    levels = np.array([lvl for layout in batch for lvl in layout.levels], dtype=np.int64)
    order = np.argsort(levels, kind="stable")  # column - 1 -> step of the batch
    column = np.empty(n_steps, dtype=np.int64)  # step of the batch -> column
    column[order] = np.arange(1, n_steps + 1)

    # Column-major, so each step's samples are one contiguous row of the transpose. Every
    # plan's generator draws one row per step, in the plan's own order: the draws do not
    # depend on the batch.
    uniforms = np.empty((samples, n_steps), order="F", dtype=np.float32)
    rows = uniforms.T
    for layout, start in zip(batch, offsets[:-1], strict=True):
        if layout.draws:
            rng = np.random.default_rng(layout.plan.seed)
            rows[column[start : start + len(layout.draws)] - 1] = rng.random(
                (len(layout.draws), samples), dtype=np.float32
            )
    # Finish times are computed in place over the durations, in float32 days.
    finish = np.zeros((samples, n_cols), order="F", dtype=np.float32)
    every = [d for layout in batch for d in layout.draws]
    draw_durations([every[i] for i in order], uniforms, out=finish[:, 1 : n_steps + 1])
    del uniforms, rows

    preds: list[list[int]] = [[] for _ in range(n_steps)]
    for layout, start in zip(batch, offsets[:-1], strict=True):
        for i, needs in enumerate(layout.preds):
            preds[int(column[start + i]) - 1] = [int(column[start + p]) for p in needs]
    groups: list[tuple[int, int, list[list[int]]]] = []
    sorted_levels = levels[order]
    bounds = np.flatnonzero(np.diff(sorted_levels)) + 1
    for first, stop in zip([0, *bounds.tolist()], [*bounds.tolist(), n_steps], strict=True):
        if stop > first:
            groups.append((first + 1, stop + 1, preds[first:stop]))
    groups.append(
        (
            n_steps + 1,
            n_cols,
            [
                [int(column[start + s]) for s in layout.sinks]
                for layout, start in zip(batch, offsets[:-1], strict=True)
            ],
        )
    )
    top = int(sorted_levels[-1]) if n_steps else 0
    critical_pred = _finish_times(finish, groups)
    critical = _on_longest_path(critical_pred, end_cols, top)
    # A step finishing 4.2 days from today is done on day 5; the tolerance absorbs the
    # rounding of float32 sums.
    ends = finish[:, n_steps + 1 :]
    days = np.ceil(ends - np.float32(_DAY_TOLERANCE), out=ends).astype(np.int64)
    # Every plan asks for the same number of dates: the target, the quarter end, then its
    # own horizons padded with its quarter end.
    extra = max((len(layout.plan.horizons) for layout in batch), default=0)
    horizons = np.array(
        [
            [(layout.plan.target - layout.plan.today).days for layout in batch],
            [(layout.plan.quarter_end - layout.plan.today).days for layout in batch],
            *(
                [
                    (
                        (
                            layout.plan.horizons[h]
                            if h < len(layout.plan.horizons)
                            else layout.plan.quarter_end
                        )
                        - layout.plan.today
                    ).days
                    for layout in batch
                ]
                for h in range(extra)
            ),
        ]
    )
    p_by, quantiles = _day_counts(days, horizons)
    return [
        _summary(
            layout,
            samples,
            [float(p) for p in p_by[: 2 + len(layout.plan.horizons), k]],
            [int(q) for q in quantiles[:, k]],
            critical[column[start : start + len(layout.draws)]],
        )
        for k, (layout, start) in enumerate(zip(batch, offsets[:-1], strict=True))
    ]


def _day_counts(
    days: NDArray[np.int64], horizons: NDArray[np.int64]
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Per plan (column of `days`, samples × plans): the share of samples done by each of
    its `horizons` (rows × plans, days from today) and its quantiles as numpy's
    "inverted_cdf" gives them: the ceil(q × n)-th smallest of n samples."""
    samples, n_plans = days.shape
    ranks = np.array([max(0, math.ceil(q * samples) - 1) for q in _QUANTILES])
    span = int(days.max(initial=0)) + 1
    if span * n_plans > 4 * days.size:  # a few very long forecasts: sort instead
        days.partition(sorted(set(ranks.tolist())), axis=0)
        within = np.stack([(days <= h).mean(axis=0) for h in horizons])
        return within, days[ranks, :]
    # Small whole days: a histogram of each plan, cumulated, answers both at once.
    days += np.arange(n_plans, dtype=np.int64) * span
    done = np.bincount(days.ravel(order="K"), minlength=span * n_plans)
    done = done.reshape((n_plans, span)).cumsum(axis=1)  # samples done by day d
    shares = np.where(
        horizons < 0, 0, done[np.arange(n_plans), np.clip(horizons, 0, span - 1)]
    ) / np.float64(samples)
    # The quantile day is the first day by which more than `rank` samples are done.
    quantiles = np.stack([(done > r).argmax(axis=1) for r in ranks])
    return shares, quantiles


def _finish_times(
    finish: NDArray[np.float32], groups: list[tuple[int, int, list[list[int]]]]
) -> NDArray[np.int32]:
    """Turn the durations in `finish` (samples × columns) into finish times in place, one
    block of columns [first, stop) with their predecessors at a time, in order: a step
    starts when its last predecessor finishes. Returns which predecessor that was."""
    samples, n_cols = finish.shape
    critical_pred = np.zeros((samples, n_cols), dtype=np.int32, order="F")
    for first, stop, needs in groups:
        width = max(1, max(len(p) for p in needs))
        if width == 1 and not any(needs):
            continue  # nothing before these steps: they start today, column 0 is critical
        # Pad with column 0 after the real predecessors: only a strictly later finish wins,
        # so the first of equal predecessors stays critical and the padding never does.
        padded = np.array([(p + [0] * width)[:width] for p in needs])
        latest = finish[:, padded[:, 0]]
        which = critical_pred[:, first:stop]  # a view: column-major blocks are contiguous
        which[...] = padded[:, 0]
        for w in range(1, width):
            later = finish[:, padded[:, w]]
            wins = later > latest
            np.copyto(latest, later, where=wins)
            np.copyto(which, padded[:, w], where=wins)
        finish[:, first:stop] += latest
    return critical_pred


def _on_longest_path(
    critical_pred: NDArray[np.int32], ends: NDArray[np.int_], depth: int
) -> NDArray[np.float64]:
    """Share of samples in which each column is on the longest path: walk back from every
    plan's end along the predecessor that finished last, all samples and plans at once."""
    samples, n_cols = critical_pred.shape
    # Flat, column by column (a view of the column-major array): 1-D indexing is fast.
    pred = critical_pred.ravel(order="F")
    rows = np.tile(np.arange(samples, dtype=np.intp), len(ends))
    here = np.repeat(ends.astype(np.intp) * samples, samples)
    here += rows
    columns = np.empty(len(here), dtype=np.int32)
    visits = np.zeros(n_cols, dtype=np.int64)
    # A path meets each column at most once (column 0, where every path ends, is left out),
    # so counting the columns met at every step counts the samples on whose path each is.
    for _ in range(depth):
        np.take(pred, here, out=columns, mode="clip")
        visits += np.bincount(columns, minlength=n_cols)
        np.multiply(columns, samples, out=here)
        here += rows
    shares: NDArray[np.float64] = visits / samples
    shares[0] = 0.0
    return shares


def _summary(
    layout: _Layout,
    samples: int,
    p_by: list[float],
    quantiles: list[int],
    critical: NDArray[np.float64],
) -> PlanForecast:
    plan = layout.plan
    fan = tuple(
        (q, plan.today + dt.timedelta(days=d))
        for q, d in zip(FAN_QUANTILES, quantiles, strict=True)
    )
    dates = dict(fan)
    return PlanForecast(
        samples=samples,
        p_by_target=p_by[0],
        p_by_quarter_end=p_by[1],
        p50=dates[0.5],
        p80=dates[0.8],
        p90=dates[0.9],
        steps=tuple(
            StepForecast(step.id, float(critical[n]), layout.draws[n].beyond_history)
            for step, n in zip(plan.steps, layout.positions, strict=True)
        ),
        fan=fan,
        p_by_horizon=tuple(p_by[2:]),
    )

"""Close-date forecast of a plan: Monte Carlo over its remaining steps. Pure (numpy).

Each remaining step's duration is drawn from an empirical sample of how long steps of its kind
took (`Durations`, open observations weighted as Kaplan–Meier does); an open step is
conditioned on the days already spent in it. Finish times run through the dependency graph
step by step in a topological order, so parallel tracks merge at the step that needs them, and
the plan finishes when its last step does. Plans of one graph (those of one template, say)
make batches: all samples of all plans of a batch are computed together in numpy, and the
batches run in a pool of threads (numpy lets go of the GIL in its loops).

Seeding: every plan carries its own `seed`, and its uniform draws come from
`numpy.random.default_rng(seed)` as one (steps × samples) float32 array (read straight from
the generator's 32-bit words: the same numbers as `random(dtype=np.float32)`), steps in a
topological order fixed by the plan alone, so a plan forecast alone or inside `forecast_many`
gives identical results.

Speed: durations and finish times are one float32 array of plans × steps × samples per batch
(each thread reuses its own from batch to batch), so each step of all the plans of a batch is
one strided block; each plan's random words become its durations at once, while in cache,
through a lookup table (`forecast_draws`); finish times are summed in place; only merges
(steps with several predecessors) keep which one finished last, and criticality walks back
through them with one mask of samples per step; quantiles come from one cumulated histogram
of whole days per plan.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

from mutualplan.core.forecast_draws import (
    OVERDUE_REMAINING_DAYS,
    DrawLookup,
    Durations,
    StepDraws,
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

_T = TypeVar("_T", bound=np.generic)

DEFAULT_SAMPLES = 2_000
# Samples × (steps + 1) of one batch: bounds memory (about 12 MB a thread: the float32 finish
# times, the draws' buffers) and measured fastest (1 to 2 million within noise).
_BATCH_CELLS = 2_000_000
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
    """One plan's steps in a topological order with their local predecessors."""

    plan: PlanToForecast
    draws: tuple[StepDraws, ...]
    preds: tuple[tuple[int, ...], ...]
    sinks: tuple[int, ...]
    positions: tuple[int, ...]  # of each input step in the topological order


def forecast(plan: PlanToForecast, samples: int = DEFAULT_SAMPLES) -> PlanForecast:
    """Forecast one plan; raises DependencyCycle or ValueError on bad input."""
    return forecast_many([plan], samples, threads=1)[0]


def forecast_many(
    plans: Sequence[PlanToForecast],
    samples: int = DEFAULT_SAMPLES,
    threads: int | None = None,
) -> list[PlanForecast]:
    """Forecast many plans in a few vectorised batches; the same result as one by one,
    whatever the number of `threads` running the batches (default: one per CPU this process
    may use)."""
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 1:
        raise ValueError(f"samples must be a positive whole number, not {samples!r}")
    if threads is None:
        threads = _cpus()
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise ValueError(f"threads must be a positive whole number, not {threads!r}")
    # Check every plan before any work, so a bad plan refuses the whole call.
    layouts = [_layout(plan) for plan in plans]
    # Plans of one graph (those of one template, say) run together, step by step.
    shapes: dict[tuple[object, ...], list[int]] = {}
    for k, layout in enumerate(layouts):
        shapes.setdefault((layout.preds, layout.sinks), []).append(k)
    batches: list[list[int]] = []
    for members in shapes.values():
        width = (len(layouts[members[0]].draws) + 1) * samples
        per_batch = max(1, _BATCH_CELLS // width)
        batches.extend(members[i : i + per_batch] for i in range(0, len(members), per_batch))

    # Each thread's arrays, reused from batch to batch: fresh memory each time is handed
    # back to the system and faulted in again, which costs more than small batches' work.
    scratch = threading.local()

    def run(batch: list[int]) -> list[PlanForecast]:
        return _run([layouts[k] for k in batch], samples, scratch)

    if threads == 1 or len(batches) < 2:
        found = [run(batch) for batch in batches]
    else:
        with ThreadPoolExecutor(max_workers=min(threads, len(batches))) as pool:
            found = list(pool.map(run, batches))
    results: dict[int, PlanForecast] = {}
    for batch, forecasts in zip(batches, found, strict=True):
        results.update(zip(batch, forecasts, strict=True))
    return [results[k] for k in range(len(layouts))]


def _cpus() -> int:
    """The CPUs this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _layout(plan: PlanToForecast) -> _Layout:
    if isinstance(plan.seed, bool) or not isinstance(plan.seed, int) or plan.seed < 0:
        raise ValueError(f"the seed must be a whole number, zero or more, not {plan.seed!r}")
    order, preds, sinks, positions = _shape(
        tuple((step.id, tuple(step.depends_on)) for step in plan.steps)
    )
    return _Layout(
        plan=plan,
        draws=tuple(_draws(plan.steps[i]) for i in order),
        preds=preds,
        sinks=sinks,
        positions=positions,
    )


_Shape = tuple[tuple[int, ...], tuple[tuple[int, ...], ...], tuple[int, ...], tuple[int, ...]]


@functools.lru_cache(maxsize=1_024)
def _shape(steps: tuple[tuple[str, tuple[str, ...]], ...]) -> _Shape:
    """The topological order of the steps (id, dependencies), level by level, each step's
    predecessors in it, the sinks, and each step's position: kept per graph, since the plans
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
        tuple(position[key] for key in ids if key not in needed),
        tuple(position[key] for key in ids),
    )


def _draws(step: RemainingStep) -> StepDraws:
    return step_draws(step.durations, step.in_progress, step.days_spent)


def _reused(scratch: threading.local, name: str, cells: int, dtype: type[_T]) -> NDArray[_T]:
    """This thread's array `name` of at least `cells` cells (its first `cells`)."""
    held: NDArray[_T] | None = getattr(scratch, name, None)
    if held is None or held.size < cells:
        held = np.empty(cells, dtype=dtype)
        setattr(scratch, name, held)
    return held[:cells]


def _run(batch: Sequence[_Layout], samples: int, scratch: threading.local) -> list[PlanForecast]:
    """One vectorised pass over a batch of plans sharing one graph: arrays of plans × steps
    × samples, so that each step of every plan is a contiguous row of samples and each step
    of all the plans one strided block."""
    first = batch[0]
    n_plans, n_steps = len(batch), len(first.draws)
    # Each plan's generator draws its rows (a step each, in the plan's topological order),
    # which become its durations at once, while in cache: the draws do not depend on the
    # batch. They stay the 32-bit words its float32 uniforms are made of (numpy makes two
    # of each 64-bit output, low half first), which the lookup reads as those uniforms.
    # Finish times are then computed in place over the durations, in float32 days.
    finish = _reused(scratch, "finish", n_plans * n_steps * samples, np.float32).reshape(
        (n_plans, n_steps, samples)
    )
    if n_steps:
        # The lookup of the batch's distributions (one per batch bounds its memory).
        lookup, slots = DrawLookup.of([d for layout in batch for d in layout.draws], finish.dtype)
        buffer = _reused(scratch, "buffer", lookup.buffer_cells(samples, n_steps), np.intp)
        cells = n_steps * samples
        for k, layout in enumerate(batch):
            # default_rng(seed)'s own bit generator, without building the Generator.
            raw = np.random.PCG64(layout.plan.seed).random_raw((cells + 1) // 2)
            words = raw.view(np.uint32)[:cells].reshape((n_steps, samples))
            lookup.draw(slots[k * n_steps : (k + 1) * n_steps], words.T, finish[k].T, buffer)
    choices = _finish_times(finish, first.preds)
    end, end_choice = _latest(finish, first.sinks)
    counts = _on_longest_path(choices, first.preds, first.sinks, end_choice, n_plans, samples)
    # A step finishing 4.2 days from today is done on day 5; the tolerance absorbs the
    # rounding of float32 sums.
    np.subtract(end, np.float32(_DAY_TOLERANCE), out=end)
    days = np.ceil(end, out=end).astype(np.int64).T  # samples × plans
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
            (counts[k] / samples).tolist(),
        )
        for k, layout in enumerate(batch)
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


# Which of a step's predecessors finished last, per plan and sample: the index, or for two
# predecessors True where the second did.
_Choice = NDArray[np.intp] | NDArray[np.bool_]


def _finish_times(
    finish: NDArray[np.float32], preds: tuple[tuple[int, ...], ...]
) -> dict[int, _Choice]:
    """Turn the durations in `finish` (plans × steps × samples, steps in topological order)
    into finish times in place: a step starts when its last predecessor finishes, today
    when it has none. Returns, for each step with several predecessors, which of them
    finished last (plans × samples)."""
    choices: dict[int, _Choice] = {}
    for step, needs in enumerate(preds):
        if len(needs) == 1:
            finish[:, step] += finish[:, needs[0]]
        elif needs:
            latest, choice = _latest(finish, needs)
            finish[:, step] += latest
            if choice is not None:
                choices[step] = choice
    return choices


def _latest(
    finish: NDArray[np.float32], steps: tuple[int, ...]
) -> tuple[NDArray[np.float32], _Choice | None]:
    """The latest finish of `steps` (plans × samples, zero for none) and, when there are
    several, which of them it is: only a strictly later finish wins, so the first of equal
    ones is the critical one. Two steps: True where the second wins."""
    if not steps:
        return np.zeros((finish.shape[0], finish.shape[2]), dtype=np.float32), None
    if len(steps) == 1:
        return finish[:, steps[0]].copy(), None
    if len(steps) == 2:
        second = finish[:, steps[1]] > finish[:, steps[0]]
        return np.maximum(finish[:, steps[0]], finish[:, steps[1]]), second
    latest = finish[:, steps[0]].copy()
    which = np.zeros(latest.shape, dtype=np.intp)
    for w in range(1, len(steps)):
        later = finish[:, steps[w]]
        wins = later > latest
        np.copyto(latest, later, where=wins)
        which[wins] = w
    return latest, which


_Mask = NDArray[np.bool_] | bool  # True: every sample, False: none


def _on_longest_path(
    choices: dict[int, _Choice],
    preds: tuple[tuple[int, ...], ...],
    sinks: tuple[int, ...],
    end_choice: _Choice | None,
    n_plans: int,
    samples: int,
) -> NDArray[np.int64]:
    """How many samples of each plan (plans × steps) have each step on the longest path:
    walk back from the end along the predecessor that finished last, which marks the
    samples on the path of each step, steps in reverse topological order. A path meets
    a step once, so the marks one step hands its predecessors never overlap."""
    on: list[_Mask] = [False] * len(preds)

    def hand_on(step: int, mask: _Mask) -> None:
        held = on[step]
        on[step] = mask if held is False else True if held is True or mask is True else held | mask

    def split(mask: _Mask, choice: _Choice | None, to: tuple[int, ...]) -> None:
        if mask is False:
            return
        if choice is None:
            hand_on(to[0], mask)
            return
        for w, step in enumerate(to):
            picked = choice == w  # a boolean choice (of two) is 1 where the second won
            hand_on(step, picked if mask is True else picked & mask)

    if sinks:
        split(True, end_choice, sinks)
    for step in reversed(range(len(preds))):
        if preds[step]:
            split(on[step], choices.get(step), preds[step])
    counts = np.zeros((n_plans, len(preds)), dtype=np.int64)
    counted: dict[int, NDArray[np.int64]] = {}
    for step, mask in enumerate(on):
        if mask is True:
            counts[:, step] = samples
        elif mask is not False:
            if id(mask) not in counted:
                counted[id(mask)] = np.count_nonzero(mask, axis=1)
            counts[:, step] = counted[id(mask)]
    return counts


def _summary(
    layout: _Layout,
    samples: int,
    p_by: list[float],
    quantiles: list[int],
    critical: list[float],
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
            StepForecast(step.id, critical[n], layout.draws[n].beyond_history)
            for step, n in zip(plan.steps, layout.positions, strict=True)
        ),
        fan=fan,
        p_by_horizon=tuple(p_by[2:]),
    )

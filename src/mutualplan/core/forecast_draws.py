"""Drawing step durations for the forecast: empirical samples, censoring, time already spent.

Pure (numpy). A `Durations` sample becomes a discrete distribution over its observed values;
an observation still open (right-censored: it took at least that long) hands its weight on to
the longer observations, Efron's "redistribution to the right", which is exactly the
Kaplan–Meier estimate. Open observations are never dropped, so the estimate is not biased low.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

# Remaining days assumed for a step already open longer than any recorded duration.
OVERDUE_REMAINING_DAYS = 1.0


@dataclass(frozen=True)
class Durations:
    """Observed durations in days of one kind of step (step type × account type, say);
    `censored[i]` marks an observation still open, which took at least `days[i]`."""

    days: tuple[float, ...]
    censored: tuple[bool, ...] = ()

    def __post_init__(self) -> None:
        if not self.days:
            raise ValueError("a duration sample needs at least one observation")
        if not all(isinstance(d, int | float) and math.isfinite(d) and d >= 0 for d in self.days):
            raise ValueError("durations must be finite numbers of days, zero or more")
        if self.censored and len(self.censored) != len(self.days):
            raise ValueError(f"{len(self.censored)} censoring flags for {len(self.days)} durations")

    @cached_property
    def weighted(self) -> tuple[NDArray[np.float64], NDArray[np.float64] | None]:
        """Sorted values and their probabilities, None when all are equally likely (no
        observation is open): those draw by index alone, with no search."""
        if any(self.censored):
            return self.distribution
        return np.sort(np.asarray(self.days, dtype=np.float64)), None

    @cached_property
    def draws(self) -> StepDraws:
        """What a step not yet started draws from, built once per sample."""
        return _step_draws(*self.weighted)

    @cached_property
    def distribution(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Distinct values in increasing order and their probabilities (Kaplan–Meier)."""
        days = np.asarray(self.days, dtype=np.float64)
        open_ = np.asarray(self.censored or [False] * len(days), dtype=bool)
        # At equal durations an event comes before a censoring, as Kaplan–Meier counts it.
        order = np.lexsort((open_, days))
        days, open_ = days[order], open_[order]
        n = len(days)
        at_risk = n - np.arange(n)
        survival = np.concatenate(([1.0], np.cumprod(np.where(open_, 1.0, 1.0 - 1.0 / at_risk))))
        # The last observation keeps whatever is left, even when open: a lower bound.
        last = np.arange(n) == n - 1
        weights = np.where(~open_ | last, survival[:-1] / at_risk, 0.0)
        values, index = np.unique(days, return_inverse=True)
        merged = np.bincount(index, weights=weights, minlength=len(values))
        keep = merged > 0
        return values[keep], merged[keep] / merged[keep].sum()


@dataclass(frozen=True)
class StepDraws:
    """What one step's remaining days are drawn from: sorted `values`, their `cumulative`
    probabilities (all +inf when every value is equally likely: the guide finds it alone),
    and a `guide`: for bucket j of g, the first value whose cumulative probability passes j/g."""

    values: NDArray[np.float64]
    cumulative: NDArray[np.float64]
    guide: NDArray[np.int64]
    beyond_history: bool = False


# Guide buckets per value: more buckets, fewer draws that must step forward after the guide.
GUIDE_BUCKETS = 4


def _step_draws(
    values: NDArray[np.float64], weights: NDArray[np.float64] | None, beyond_history: bool = False
) -> StepDraws:
    m = len(values)
    g = GUIDE_BUCKETS * m
    if weights is None:
        # floor(floor(u * g) / GUIDE_BUCKETS) == floor(u * m): the bucket gives the value.
        guide = np.arange(g) // GUIDE_BUCKETS
        return StepDraws(values, np.full(m, np.inf), guide, beyond_history)
    cumulative = np.cumsum(weights)
    cumulative /= cumulative[-1]
    cumulative[-1] = 1.0
    guide = np.minimum(np.searchsorted(cumulative, np.arange(g) / g, side="right"), m - 1)
    return StepDraws(values, cumulative, guide, beyond_history)


def step_draws(durations: Durations, in_progress: bool, days_spent: float) -> StepDraws:
    """The distribution of a step's remaining days. An open step is conditioned on the time
    already spent: only durations longer than `days_spent`, minus it."""
    if not (isinstance(days_spent, int | float) and math.isfinite(days_spent) and days_spent >= 0):
        raise ValueError(f"days spent must be a finite number of days, zero or more: {days_spent}")
    if not in_progress:
        return durations.draws
    values, weights = durations.weighted
    longer = values > days_spent
    if not longer.any():
        return _step_draws(np.array([OVERDUE_REMAINING_DAYS]), None, beyond_history=True)
    return _step_draws(values[longer] - days_spent, None if weights is None else weights[longer])


def draw_durations(draws: list[StepDraws], uniforms: NDArray[np.float64]) -> NDArray[np.float64]:
    """Inverse-CDF draws for every step at once: column k of `uniforms` (samples × steps,
    values in [0, 1)) becomes remaining days of `draws[k]`. A guide table (Chen's indexed
    search) lands on the right value or just before it; the few short draws step forward."""
    if not draws:
        return np.zeros((uniforms.shape[0], 0))
    sizes = np.array([len(d.values) for d in draws])
    buckets = np.array([len(d.guide) for d in draws])
    starts = np.cumsum(sizes) - sizes
    values = np.concatenate([d.values for d in draws])
    cumulative = np.concatenate([d.cumulative for d in draws])
    guide = np.concatenate([d.guide + start for d, start in zip(draws, starts, strict=True)])
    # u * g can round up to g for u just under 1: stay in the last bucket.
    bucket = np.minimum((uniforms * buckets).astype(np.int64), buckets - 1)
    bucket += np.cumsum(buckets) - buckets
    found = guide[bucket]
    if not np.isfinite(cumulative).any():
        return values[found]  # every value equally likely: the bucket is the draw
    # Flat, column by column (views for the column-major arrays of the forecast): 1-D
    # indexing is the fast kind.
    flat_found = found.ravel(order="F")
    flat_uniforms = uniforms.ravel(order="F")
    short = np.flatnonzero(cumulative[flat_found] <= flat_uniforms)
    while short.size:
        # The last value's cumulative probability is 1 > u, so no draw leaves its step.
        flat_found[short] += 1
        short = short[cumulative[flat_found[short]] <= flat_uniforms[short]]
    return values[flat_found.reshape(found.shape, order="F")]

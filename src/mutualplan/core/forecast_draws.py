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
    def sorted_days(self) -> NDArray[np.float64]:
        return np.sort(np.asarray(self.days, dtype=np.float64))

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
    """What one step's remaining days are drawn from: sorted values with their cumulative
    probabilities, or with `cumulative` None when every value is equally likely."""

    values: NDArray[np.float64]
    cumulative: NDArray[np.float64] | None
    beyond_history: bool


def step_draws(durations: Durations, in_progress: bool, days_spent: float) -> StepDraws:
    """The distribution of a step's remaining days. An open step is conditioned on the time
    already spent: only durations longer than `days_spent`, minus it."""
    if not (isinstance(days_spent, int | float) and math.isfinite(days_spent) and days_spent >= 0):
        raise ValueError(f"days spent must be a finite number of days, zero or more: {days_spent}")
    if any(durations.censored):
        values, weights = durations.distribution
    else:
        # Equally likely observations draw by index alone, much faster than a search.
        values, weights = durations.sorted_days, None
    if in_progress:
        longer = values > days_spent
        if not longer.any():
            return StepDraws(np.array([OVERDUE_REMAINING_DAYS]), None, beyond_history=True)
        values = values[longer] - days_spent
        weights = None if weights is None else weights[longer]
    if weights is None:
        return StepDraws(values, None, beyond_history=False)
    cumulative = np.cumsum(weights)
    cumulative /= cumulative[-1]
    cumulative[-1] = 1.0
    return StepDraws(values, cumulative, beyond_history=False)


def draw_durations(draws: list[StepDraws], uniforms: NDArray[np.float64]) -> NDArray[np.float64]:
    """Inverse-CDF draws for every step at once: column k of `uniforms` (samples × steps,
    values in [0, 1)) becomes remaining days of `draws[k]`. Equally likely values are picked
    by index; the others by one search in the cumulative probabilities of those steps laid
    end to end (step k's shifted up by k)."""
    if not draws:
        return np.zeros((uniforms.shape[0], 0))
    sizes = np.array([len(d.values) for d in draws])
    ends = np.cumsum(sizes)
    starts = ends - sizes
    values = np.concatenate([d.values for d in draws])
    found = starts + (uniforms * sizes).astype(np.int64)
    weighted = [k for k, d in enumerate(draws) if d.cumulative is not None]
    if weighted:
        shifted = np.concatenate(
            [d.cumulative + k for k, d in enumerate(draws) if d.cumulative is not None]
        )
        offsets = starts[weighted] - (np.cumsum(sizes[weighted]) - sizes[weighted])
        found[:, weighted] = offsets + np.searchsorted(
            shifted, uniforms[:, weighted] + np.arange(len(weighted)), side="right"
        )
    # u * size or k + u can round up for u just under 1: stay inside step k's own values.
    np.clip(found, starts, ends - 1, out=found)
    return values[found]

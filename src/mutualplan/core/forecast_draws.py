"""Drawing step durations for the forecast: empirical samples, censoring, time already spent.

Pure (numpy). A `Durations` sample becomes a discrete distribution over its observed values;
an observation still open (right-censored: it took at least that long) hands its weight on to
the longer observations, Efron's "redistribution to the right", which is exactly the
Kaplan–Meier estimate. Open observations are never dropped, so the estimate is not biased low.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

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
    def finished(self) -> int:
        """How many observations finished (are not open), counted once per sample."""
        return len(self.days) - sum(self.censored)

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
    def open_draws(self) -> dict[float, StepDraws]:
        """What a step open for so many days draws from, kept as they are asked for."""
        return {}

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
    """What one step's remaining days are drawn from: sorted `values` and their `cumulative`
    probabilities (all +inf when every value is equally likely: then u draws index
    floor(u × m)). A lookup `table` of a power-of-two number of equal buckets of u gives the
    value of every bucket holding no step of the cumulative probabilities, NaN for the few
    that hold one; `first` is, for each bucket, the first value a draw in it can land on."""

    values: NDArray[np.float64]
    cumulative: NDArray[np.float64]
    table: NDArray[np.float64]
    first: NDArray[np.int64]
    beyond_history: bool = False

    @cached_property
    def table32(self) -> NDArray[np.float32]:
        """The table in float32, the forecast's days."""
        return self.table.astype(np.float32)

    @cached_property
    def first16(self) -> NDArray[np.int16] | NDArray[np.int32]:
        """`first` in int16 when it fits (a value index below 32,768), else int32."""
        if len(self.values) <= np.iinfo(np.int16).max:
            return self.first.astype(np.int16)
        return self.first.astype(np.int32)


# Buckets per value, rounded up to a power of two: at most 1/64 of draws need the search.
BUCKETS_PER_VALUE = 64
# At most this many buckets (256 KiB of table a distribution): a sample of more than 256
# observations has more draws that search, each over a few values.
MAX_BUCKETS = 1 << 14


def _step_draws(
    values: NDArray[np.float64], weights: NDArray[np.float64] | None, beyond_history: bool = False
) -> StepDraws:
    m = len(values)
    g = min(MAX_BUCKETS, 1 << max(0, (BUCKETS_PER_VALUE * m - 1).bit_length()))
    edges = np.arange(g + 1) / g  # exact: g is a power of two
    if weights is None:
        cumulative = np.full(m, np.inf)
        # floor(u × m) over bucket j: from floor(j m / g) to the last index below (j+1) m / g.
        first = (np.arange(g) * m) // g
        last = np.minimum(-((-(np.arange(1, g + 1) * m)) // g) - 1, m - 1)
    else:
        cumulative = np.cumsum(weights)
        cumulative /= cumulative[-1]
        cumulative[-1] = 1.0
        # The draw is the number of cumulative probabilities <= u (searchsorted, right).
        first = np.minimum(np.searchsorted(cumulative, edges[:-1], side="right"), m - 1)
        last = np.minimum(np.searchsorted(cumulative, edges[1:], side="left"), m - 1)
    table = np.where(first == last, values[first], np.nan)
    return StepDraws(values, cumulative, table, first.astype(np.int64), beyond_history)


def step_draws(durations: Durations, in_progress: bool, days_spent: float) -> StepDraws:
    """The distribution of a step's remaining days. An open step is conditioned on the time
    already spent: only durations longer than `days_spent`, minus it."""
    if not (isinstance(days_spent, int | float) and math.isfinite(days_spent) and days_spent >= 0):
        raise ValueError(f"days spent must be a finite number of days, zero or more: {days_spent}")
    if not in_progress:
        return durations.draws
    kept = durations.open_draws.get(days_spent)
    if kept is None:
        kept = _open_step_draws(durations, days_spent)
        if len(durations.open_draws) < _KEPT_OPEN_DRAWS:
            durations.open_draws[days_spent] = kept
    return kept


# Conditioned draws kept per duration sample (one per distinct number of days spent).
_KEPT_OPEN_DRAWS = 256


def _open_step_draws(durations: Durations, days_spent: float) -> StepDraws:
    values, weights = durations.weighted
    longer = values > days_spent
    if not longer.any():
        return _step_draws(np.array([OVERDUE_REMAINING_DAYS]), None, beyond_history=True)
    return _step_draws(values[longer] - days_spent, None if weights is None else weights[longer])


def draw_durations(
    draws: Sequence[StepDraws],
    uniforms: NDArray[np.floating[Any]] | NDArray[np.uint32],
    out: NDArray[np.floating[Any]] | None = None,
) -> NDArray[np.floating[Any]]:
    """Inverse-CDF draws for every step at once: column k of `uniforms` (samples × steps,
    values in [0, 1), float64 or float32) becomes remaining days of `draws[k]`, into `out`
    when given (same shape, contiguous, float64 or float32: the days rounded to it). One
    table lookup per draw; the few draws in a bucket that holds a step of the cumulative
    probabilities search forward from the bucket's first value.

    `uniforms` may also be uint32 random words, each standing for the float32 uniform
    (word >> 8) × 2⁻²⁴ that numpy's generators make of it (`random(dtype=np.float32)`):
    the same draws, without the conversion to float."""
    samples, n = uniforms.shape
    if out is None:
        out = np.empty((samples, n), order="F")
    if not n:
        return out
    lookup, slots = DrawLookup.of(draws, out.dtype)
    lookup.draw(slots, uniforms, out)
    return out


class DrawLookup:
    """The lookup tables of some distinct `StepDraws` (slots), in one array of the days'
    float type, to draw many blocks of steps from: steps of one kind share their draws.
    Read only once built, so threads may draw from one lookup at once (each with its own
    buffer)."""

    def __init__(self, distinct: Sequence[StepDraws], dtype: np.dtype[Any]) -> None:
        self.sizes = np.array([len(d.table) for d in distinct])
        self.table_start = np.cumsum(self.sizes) - self.sizes
        single = dtype == np.float32
        tables = [d.table32 if single else d.table for d in distinct] or [np.empty(0)]
        self.table = np.concatenate(tables).astype(dtype, copy=False)
        self.shift = (32 - np.log2(self.sizes).astype(np.int64)).astype(np.uint32)
        self.search = _Search(distinct)

    @classmethod
    def of(
        cls, draws: Sequence[StepDraws], dtype: np.dtype[Any]
    ) -> tuple[DrawLookup, NDArray[np.intp]]:
        """The lookup of the distinct `draws`, and the slot of each."""
        slot: dict[int, int] = {}
        distinct: list[StepDraws] = []
        for d in draws:
            if id(d) not in slot:
                slot[id(d)] = len(distinct)
                distinct.append(d)
        return cls(distinct, dtype), np.array([slot[id(d)] for d in draws], dtype=np.intp)

    @staticmethod
    def buffer_cells(samples: int, steps: int) -> int:
        """The buffer `draw` needs for so many samples of so many steps, column-major."""
        return samples * min(steps, max(1, _BLOCK_CELLS // samples))

    def draw(
        self,
        column_slot: NDArray[np.intp],
        uniforms: NDArray[np.floating[Any]] | NDArray[np.uint32],
        out: NDArray[np.floating[Any]],
        buffer: NDArray[np.intp] | None = None,
    ) -> None:
        """Column k of `uniforms` (as in `draw_durations`) becomes draws of slot
        `column_slot[k]` in `out`; `buffer` (of `buffer_cells` or more) holds the buckets,
        kept from call to call by a caller that draws many times."""
        samples, n = uniforms.shape
        if not (out.flags.f_contiguous or out.flags.c_contiguous):
            raise ValueError("draw_durations writes into a contiguous array only")
        order: Literal["F", "C"] = "F" if out.flags.f_contiguous else "C"
        # Column-major: blocks of columns small enough that each pass finds the last in cache.
        width = max(1, _BLOCK_CELLS // samples) if order == "F" else n
        if buffer is None or len(buffer) < samples * min(width, n):
            buffer = np.empty(samples * min(width, n), dtype=np.intp)
        words = uniforms.dtype == np.uint32
        if words:
            # The bucket of u = (word >> 8) × 2⁻²⁴ among g = 2ᵏ is word >> (32 - k).
            factor = self.shift[column_slot]
        else:
            # u × g is exact for a power of two g and truncates to the bucket, below g for
            # u < 1. (Bucket counts in the uniforms' own float type: a mixed-type multiply
            # is twice as slow.)
            factor = self.sizes[column_slot].astype(uniforms.dtype)
        offset = self.table_start[column_slot]
        for first in range(0, n, width):
            stop = min(n, first + width)
            index = buffer[: samples * (stop - first)].reshape((samples, stop - first), order=order)
            part = uniforms[:, first:stop]
            if words:
                np.right_shift(part, factor[first:stop], out=index, casting="unsafe")
            else:
                np.multiply(part, factor[first:stop], out=index, casting="unsafe")
            index += offset[first:stop]
            # Flat views in memory order: 1-D indexing is the fast kind.
            flat_index = index.ravel(order=order)
            flat_out = out[:, first:stop].ravel(order=order)
            np.take(self.table, flat_index, out=flat_out, mode="clip")
            cells = np.flatnonzero(np.isnan(flat_out))
            if cells.size:
                block = np.asarray(part, order=order).ravel(order=order)[cells]
                u = np.asarray((block >> 8) * 2.0**-24 if words else block, dtype=np.float64)
                column = first + (cells // samples if order == "F" else cells % (stop - first))
                flat_out[cells] = self.search.draw(column_slot[column], u, flat_index[cells])


# Cells of one block of columns in `DrawLookup.draw`.
_BLOCK_CELLS = 1 << 18


class _Search:
    """Exact draws for the cells whose (global) bucket holds a step of the cumulative
    probabilities: count those <= u from the bucket's first value."""

    def __init__(self, distinct: Sequence[StepDraws]) -> None:
        self.sizes = np.array([len(d.values) for d in distinct])
        self.value_start = np.cumsum(self.sizes) - self.sizes
        none = [np.empty(0, dtype=np.int16)]  # no distribution at all: nothing to search
        self.values = np.concatenate([d.values for d in distinct] or none)
        self.cumulative = np.concatenate([d.cumulative for d in distinct] or none)
        # Every bucket's first value, in the smallest integers that hold it (a table has at
        # most MAX_BUCKETS buckets, a sample about as many values): less memory to fill.
        self.first = np.concatenate([d.first16 for d in distinct] or none)

    def draw(
        self, slots: NDArray[np.int_], u: NDArray[np.float64], buckets: NDArray[np.intp]
    ) -> NDArray[np.float64]:
        cumulative = self.cumulative
        found = self.value_start[slots] + self.first[buckets]
        # Every value equally likely: the draw is floor(u × m) itself.
        equal = np.isinf(cumulative[found])
        found[equal] = self.value_start[slots[equal]] + (
            u[equal] * self.sizes[slots[equal]]
        ).astype(np.intp)
        short = np.flatnonzero(cumulative[found] <= u)
        while short.size:
            # The last value's cumulative probability is 1 > u, so no draw leaves its step.
            found[short] += 1
            short = short[cumulative[found[short]] <= u[short]]
        return self.values[found]

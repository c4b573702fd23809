"""Kaplan–Meier survival curves over right-censored durations, and their quantiles. Pure numpy.

A step still open after 30 days took *at least* 30 days: it is a censored observation. Dropping
it would bias every turnaround estimate low (the slow steps are the ones still open), so the
product-limit estimator keeps it in the risk set until its censoring time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

# Survival values this close to a threshold count as reaching it (cumprod rounding).
_EPS = 1e-9


@dataclass(frozen=True)
class Curve:
    """A right-continuous step survival function: S(t) = survival[i] for times[i] <= t <
    times[i+1], and 1 before the first time. `longest` is the longest duration observed
    (finished or open), the furthest the curve knows anything about."""

    times: FloatArray
    survival: FloatArray
    n: int
    finished: int
    longest: float

    def evaluate(self, t: npt.ArrayLike) -> FloatArray:
        """S(t) at each t (vectorised)."""
        at = np.searchsorted(self.times, np.asarray(t, dtype=np.float64), side="right")
        padded = np.concatenate(([1.0], self.survival))
        return np.asarray(padded[at], dtype=np.float64)


@dataclass(frozen=True)
class Quantile:
    """A turnaround quantile. `days` is None when the curve never falls far enough: the
    answer is then `at_least` days (the longest time observed), or unknown with no data."""

    days: float | None
    at_least: float | None

    @property
    def label(self) -> str:
        if self.days is not None:
            return f"{_number(self.days)} days"
        if self.at_least is not None:
            return f"at least {_number(self.at_least)} days"
        return "no data"


def _number(days: float) -> str:
    return str(int(days)) if float(days).is_integer() else f"{days:.1f}"


def empty_curve() -> Curve:
    return Curve(np.zeros(0), np.zeros(0), 0, 0, 0.0)


def kaplan_meier(durations: npt.ArrayLike, finished: npt.ArrayLike) -> Curve:
    """The product-limit estimate over distinct finish times: S(t) = prod over t_i <= t of
    (1 - d_i / n_i), with d_i steps finishing at t_i and n_i steps lasting at least t_i.
    A step censored at t is still at risk at t (the usual convention, as scipy's)."""
    time = np.asarray(durations, dtype=np.float64).ravel()
    event = np.asarray(finished, dtype=bool).ravel()
    if time.shape != event.shape:
        raise ValueError("durations and finished must have the same length")
    if time.size == 0:
        return empty_curve()
    if np.any(time < 0) or not np.all(np.isfinite(time)):
        raise ValueError("durations must be finite and not negative")
    distinct, index = np.unique(time, return_inverse=True)
    leaving = np.bincount(index, minlength=distinct.size)
    deaths = np.bincount(index, weights=event, minlength=distinct.size)
    # Everyone whose time is >= t_i: all minus those who left at an earlier time.
    at_risk = time.size - np.concatenate(([0], np.cumsum(leaving)[:-1]))
    has_event = deaths > 0
    survival = np.cumprod(1.0 - deaths[has_event] / at_risk[has_event])
    return Curve(
        times=distinct[has_event],
        survival=survival,
        n=int(time.size),
        finished=int(event.sum()),
        longest=float(distinct[-1]),
    )


def quantile(curve: Curve, q: float) -> Quantile:
    """The smallest t with S(t) <= 1 - q (q=0.5 the median, 0.8 the P80); when the curve
    never gets there (too many steps still open), `days` is None and `at_least` says how
    long the longest observation has lasted so far."""
    if not 0 < q < 1:
        raise ValueError("q must be between 0 and 1")
    if curve.n == 0:
        return Quantile(None, None)
    reached = np.flatnonzero(curve.survival <= 1.0 - q + _EPS)
    if reached.size == 0:
        return Quantile(None, curve.longest)
    return Quantile(float(curve.times[reached[0]]), None)


def blend(group: Curve, overall: Curve, weight: float) -> Curve:
    """weight * S_group + (1 - weight) * S_overall on the union of both curves' times: a small
    group's curve pulled toward its parent's (shrinkage). Counts stay the group's own."""
    if not 0 <= weight <= 1:
        raise ValueError("weight must be between 0 and 1")
    times = np.union1d(group.times, overall.times)
    survival = weight * group.evaluate(times) + (1.0 - weight) * overall.evaluate(times)
    return Curve(times, survival, group.n, group.finished, max(group.longest, overall.longest))

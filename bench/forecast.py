"""Speed of the close-date forecast (core only, no database): Monte Carlo over open plans.

Generates --plans open plans with --steps remaining steps each (two parallel tracks that merge
at the last step, a few steps already open, duration samples of twenty step kinds with some
open observations), forecasts them all with `forecast_many` at --samples samples per plan,
and compares the time with the floor: drawing the same number of uniform random numbers with
numpy in the same run (one thread, float64, as `rng.random` draws by default). Target: within 3x
of that floor. The forecast runs on --threads threads (default: one per CPU, as
`forecast_many` does); the CPU seconds of both are printed too, since on a shared machine the
wall-clock figures vary with the load.

Run: .venv/bin/python bench/forecast.py [--plans 10000] [--steps 10] [--samples 10000]
     [--threads N]
Exit status: 0 if the target is met, 1 on a MISS.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time

import numpy as np

from mutualplan.core.forecast import (
    Durations,
    PlanToForecast,
    RemainingStep,
    forecast_many,
)

TARGET_RATIO = 3.0
TODAY = dt.date(2026, 11, 2)


def kinds(rng: np.random.Generator, count: int = 20, observations: int = 60) -> list[Durations]:
    """Duration samples of `count` step kinds: lognormal days, a tenth still open."""
    found = []
    for _ in range(count):
        days = rng.lognormal(mean=rng.uniform(1.0, 3.0), sigma=0.6, size=observations)
        open_ = rng.random(observations) < 0.1
        found.append(Durations(tuple(float(d) for d in days), tuple(bool(o) for o in open_)))
    return found


def plans(count: int, steps: int, rng: np.random.Generator) -> list[PlanToForecast]:
    samples = kinds(rng)
    built = []
    for seed in range(count):
        rows = []
        for i in range(steps):
            # Even steps one track, odd the other; the last step needs both.
            needs: tuple[str, ...] = (f"s{i - 2}",) if i >= 2 else ()
            if i == steps - 1 and steps > 2:
                needs = (f"s{i - 1}", f"s{i - 2}")
            open_ = i < 2 and rng.random() < 0.5
            rows.append(
                RemainingStep(
                    f"s{i}",
                    samples[int(rng.integers(len(samples)))],
                    needs,
                    in_progress=open_,
                    days_spent=float(rng.integers(0, 20)) if open_ else 0.0,
                )
            )
        target = TODAY + dt.timedelta(days=int(rng.integers(20, 120)))
        built.append(PlanToForecast(tuple(rows), TODAY, target, dt.date(2026, 12, 31), seed))
    return built


def uniform_floor(total: int, chunk: int = 4_000_000) -> tuple[float, float]:
    """Seconds (wall clock, CPU) to draw `total` uniform numbers with numpy, in chunks that
    fit in memory."""
    rng = np.random.default_rng(0)
    began, began_cpu = time.perf_counter(), time.process_time()
    left = total
    while left > 0:
        rng.random(min(chunk, left))
        left -= chunk
    return time.perf_counter() - began, time.process_time() - began_cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=int, default=10_000)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--samples", type=int, default=10_000)
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    parser.add_argument("--threads", type=int, default=cpus or 1)
    args = parser.parse_args()

    work = plans(args.plans, args.steps, np.random.default_rng(2026))
    began, began_cpu = time.perf_counter(), time.process_time()
    results = forecast_many(work, samples=args.samples, threads=args.threads)
    elapsed, cpu = time.perf_counter() - began, time.process_time() - began_cpu
    floor, floor_cpu = uniform_floor(args.plans * args.steps * args.samples)
    ratio = elapsed / floor
    on_time = float(np.mean([r.p_by_target for r in results]))
    print(
        f"forecast: {args.plans:,} plans x {args.steps} steps x {args.samples:,} samples "
        f"in {elapsed:.2f} s on {args.threads} thread(s) ({cpu:.2f} CPU s); "
        f"mean P(by target) {on_time:.2f}"
    )
    print(
        f"floor: {args.plans * args.steps * args.samples:,} uniform draws in {floor:.2f} s "
        f"({floor_cpu:.2f} CPU s)"
    )
    verdict = "ok" if ratio <= TARGET_RATIO else "MISS"
    print(
        f"ratio: {ratio:.2f}x (target <= {TARGET_RATIO:.0f}x) {verdict}; "
        f"CPU seconds {cpu / floor_cpu:.2f}x"
    )
    return 0 if verdict == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())

"""Speed of the next best actions (core only, no database): each plan's candidate actions
forecast again with the same seed, as the plan page (one plan, 2,000 samples) and the
dashboard (a page of 25 plans, 1,000 samples) ask for them.

Every plan has --steps remaining steps on two tracks that merge at the last step, drawn from
twenty step kinds' duration samples; one stale buyer step, two high-risk steps with open
questions, every step unconfirmed and a review due, so every candidate applies (about eight
forecasts per plan besides its own). Prints the time of each case; no target (a reading).

Run: .venv/bin/python bench/next_actions.py [--steps 8] [--rounds 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time

import numpy as np

from mutualplan.core.actions import Situation, next_actions_many
from mutualplan.core.forecast import Durations, PlanToForecast, RemainingStep

TODAY = dt.date(2026, 11, 2)


def kinds(rng: np.random.Generator, count: int = 20, observations: int = 60) -> list[Durations]:
    found = []
    for _ in range(count):
        days = rng.lognormal(mean=rng.uniform(1.0, 3.0), sigma=0.6, size=observations)
        open_ = rng.random(observations) < 0.1
        found.append(Durations(tuple(float(d) for d in days), tuple(bool(o) for o in open_)))
    return found


def plan(
    rng: np.random.Generator, samples: list[Durations], steps: int, seed: int
) -> tuple[PlanToForecast, Situation]:
    ids = [f"s{i}" for i in range(steps)]
    rows = []
    for i, key in enumerate(ids):
        needs: tuple[str, ...] = ()
        if i == steps - 1:
            needs = (ids[i - 1], ids[i - 2])
        elif i >= 2:
            needs = (ids[i - 2],)
        rows.append(
            RemainingStep(
                key,
                samples[int(rng.integers(len(samples)))],
                needs,
                in_progress=i < 2,
                days_spent=float(rng.integers(0, 20)) if i < 2 else 0.0,
            )
        )
    situation = Situation(
        titles={key: f"Step {key}" for key in ids},
        stale_steps={ids[0]: 21},
        unconfirmed_steps=tuple(ids),
        review_due="no next call is booked",
        risk_steps=(ids[2], ids[3]),
    )
    return PlanToForecast(tuple(rows), TODAY, TODAY + dt.timedelta(days=40), TODAY, seed), situation


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(1)
    samples = kinds(rng)
    for label, count, draws in (("plan page", 1, 2_000), ("dashboard page", 25, 1_000)):
        items = [plan(rng, samples, args.steps, seed) for seed in range(count)]
        next_actions_many(items, draws)  # the first call builds the draw tables
        times = []
        for _ in range(args.rounds):
            started = time.perf_counter()
            found = next_actions_many(items, draws)
            times.append(time.perf_counter() - started)
        actions = sum(len(a) for a in found)
        print(
            f"{label}: {count} plan(s) x {draws} samples, {actions} actions: "
            f"median {1000 * statistics.median(times):.0f} ms"
        )


if __name__ == "__main__":
    main()

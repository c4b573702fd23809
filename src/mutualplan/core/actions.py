"""Next best actions for a plan: what the seller could do now, each ranked by how much it moves
the chance of finishing by the target. Pure (numpy, through `core.forecast`).

Each candidate applies only when the plan's facts say so (`Situation`, read by the shell). Its
effect is estimated by forecasting a modified copy of the plan's `PlanToForecast` with the same
seed, so the same draws meet the same steps and the difference is the action's, not noise
(dropping a step's prerequisites reorders the draws: that one estimate carries about a point of
noise at 2,000 samples). What each action is assumed to change is in ONE table, `EFFECTS`,
modest on purpose, and every action's explanation says it. An action estimated to move the
chance by less than half a point (`MIN_EFFECT_PP`) is left out.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from mutualplan.core.forecast import (
    DEFAULT_SAMPLES,
    Durations,
    PlanForecast,
    PlanToForecast,
    RemainingStep,
    forecast_many,
)

# The slowest tail starts at this quantile of a step's durations.
TAIL_FROM = 0.75
# An action estimated to move the chance by less than this (percentage points) is left out:
# it is within the noise of the estimate, and no reason to act.
MIN_EFFECT_PP = 0.5
# A step not yet started this often on the longest path is worth starting early.
MIN_CRITICALITY = 0.25
# How many evenly spaced quantiles stand for "the faster half" of a step's durations.
_FAST_HALF_POINTS = 20


@dataclass(frozen=True)
class Effect:
    """What an action is assumed to change in the forecast: `tail_share` of the slowest tail
    (beyond P75) of the affected steps' durations is cut, or the `model` says otherwise."""

    title: str
    tail_share: float
    model: str


# The assumptions, in one place. None is measured: they are deliberately modest guesses, said
# in each action's text so the seller can weigh them.
EFFECTS: dict[str, Effect] = {
    "escalate_stale_step": Effect(
        "Escalate {step}",
        0.0,
        "escalating restarts it at pace: its remaining time is drawn afresh from the faster "
        "half of how long such steps take",
    ),
    "start_critical_step": Effect(
        "Start {step} now",
        0.0,
        "it runs alongside the steps it now waits for, if it need not wait for them",
    ),
    "move_target": Effect(
        "Move the target to {date}",
        0.0,
        "the chance by the new target date (the date 80 % of the forecasts finish by); the "
        "deal goes no faster, but the date becomes one the plan can keep",
    ),
    "get_confirmation": Effect(
        "Get the champion's confirmation",
        0.25,
        "the champion's confirmation of dates and owners cuts a quarter of the slowest tail "
        "(beyond P75) of the unconfirmed steps",
    ),
    "schedule_review_call": Effect(
        "Schedule the review call",
        0.15,
        "a review call cuts 15 % of the slowest tail (beyond P75) of every remaining step",
    ),
    "answer_risk_questions": Effect(
        "Answer the risk questions of {step}",
        0.5,
        "known owners, availability and real turnaround cut half of the slowest tail "
        "(beyond P75) of this step",
    ),
}


@dataclass(frozen=True)
class Situation:
    """The plan facts the candidates apply to, by step id (as in the `PlanToForecast`):
    `titles` of the remaining steps; `stale_steps` the open buyer steps with no update for
    the workspace's stale days (and how many days); `unconfirmed_steps` the remaining steps
    the champion has not confirmed; `review_due` why a review call is due (none booked, the
    last one overdue), empty when it is not; `risk_steps` the high-risk steps with
    unanswered risk questions."""

    titles: Mapping[str, str]
    has_target: bool = True
    stale_steps: Mapping[str, int] = field(default_factory=dict)
    unconfirmed_steps: tuple[str, ...] = ()
    review_due: str = ""
    risk_steps: tuple[str, ...] = ()


@dataclass(frozen=True)
class Action:
    """One next best action: `effect_pp` is the estimated change, in percentage points, of
    the chance of finishing by the target; `step_id` the step it is about, if any."""

    code: str
    title: str
    explanation: str
    step_id: str | None
    effect_pp: float


@dataclass(frozen=True)
class _Candidate:
    code: str
    title: str
    reason: str
    step_id: str | None
    plan: PlanToForecast


def next_actions(
    plan: PlanToForecast, situation: Situation, samples: int = DEFAULT_SAMPLES
) -> list[Action]:
    """The actions that apply to `plan`, largest estimated effect first."""
    return next_actions_many([(plan, situation)], samples)[0]


def next_actions_many(
    items: Sequence[tuple[PlanToForecast, Situation]],
    samples: int = DEFAULT_SAMPLES,
    bases: Sequence[PlanForecast] | None = None,
) -> list[list[Action]]:
    """`next_actions` of many plans, every forecast of every plan in two vectorised calls;
    `bases`: the plans' own forecasts with `samples`, when the caller has drawn them."""
    if bases is None:
        bases = forecast_many([plan for plan, _ in items], samples)
    candidates = [
        _candidates(plan, situation, base)
        for (plan, situation), base in zip(items, bases, strict=True)
    ]
    results = iter(forecast_many([c.plan for found in candidates for c in found], samples))
    answer: list[list[Action]] = []
    for base, found in zip(bases, candidates, strict=True):
        actions = []
        for candidate, result in zip(found, results, strict=False):
            effect = round(100 * (result.p_by_target - base.p_by_target), 1)
            if effect < MIN_EFFECT_PP:
                continue
            actions.append(
                Action(
                    candidate.code,
                    candidate.title,
                    _explanation(effect, candidate, result),
                    candidate.step_id,
                    effect,
                )
            )
        order = list(EFFECTS)
        answer.append(sorted(actions, key=lambda a: (-a.effect_pp, order.index(a.code))))
    return answer


def _explanation(effect: float, candidate: _Candidate, result: PlanForecast) -> str:
    text = f"Estimated {effect:+.1f} pp: {candidate.reason}"
    if candidate.code == "move_target":
        chance = _percent(result.p_by_target)
        article = "an" if chance.startswith(("8", "11", "18")) else "a"
        text += f"; {article} {chance} chance by {_date(candidate.plan.target)}"
    return f"{text}. Assumed: {EFFECTS[candidate.code].model}."


def _date(day: dt.date) -> str:
    return f"{day:%b} {day.day}, {day.year}"


def _and(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _percent(share: float) -> str:
    return f"{round(100 * share)} %"


def _candidates(plan: PlanToForecast, situation: Situation, base: PlanForecast) -> list[_Candidate]:
    steps = {s.id: s for s in plan.steps}
    critical = {s.id: s.criticality for s in base.steps}

    def named(step_id: str) -> str:
        return f"'{situation.titles.get(step_id, step_id)}'"

    def changed(changes: Mapping[str, RemainingStep]) -> PlanToForecast:
        return replace(plan, steps=tuple(changes.get(s.id, s) for s in plan.steps))

    def cut(ids: Sequence[str], code: str) -> PlanToForecast:
        share = EFFECTS[code].tail_share
        return changed(
            {i: replace(steps[i], durations=shorter_tail(steps[i].durations, share)) for i in ids}
        )

    found: list[_Candidate] = []
    for step_id, days in situation.stale_steps.items():
        if step_id in steps:
            step = steps[step_id]
            fresh = replace(
                step, durations=faster_half(step.durations), in_progress=True, days_spent=0.0
            )
            found.append(
                _Candidate(
                    "escalate_stale_step",
                    EFFECTS["escalate_stale_step"].title.format(step=named(step_id)),
                    f"{named(step_id)} has had no update from the buyer side for {days} days",
                    step_id,
                    changed({step_id: fresh}),
                )
            )
    waiting = [
        s
        for s in plan.steps
        if s.depends_on and not s.in_progress and critical.get(s.id, 0.0) >= MIN_CRITICALITY
    ]
    if waiting:
        step = max(waiting, key=lambda s: critical[s.id])
        before = _and([named(d) for d in step.depends_on])
        found.append(
            _Candidate(
                "start_critical_step",
                EFFECTS["start_critical_step"].title.format(step=named(step.id)),
                f"{named(step.id)} is on the longest path in {_percent(critical[step.id])} "
                f"of the forecasts and waits for {before}",
                step.id,
                changed({step.id: replace(step, depends_on=())}),
            )
        )
    if situation.has_target and base.p80 > plan.target:
        found.append(
            _Candidate(
                "move_target",
                EFFECTS["move_target"].title.format(date=_date(base.p80)),
                f"{_percent(base.p_by_target)} chance by the current target {_date(plan.target)}",
                None,
                replace(plan, target=base.p80),
            )
        )
    unconfirmed = [i for i in situation.unconfirmed_steps if i in steps]
    if unconfirmed:
        found.append(
            _Candidate(
                "get_confirmation",
                EFFECTS["get_confirmation"].title,
                f"the champion has not confirmed {len(unconfirmed)} remaining "
                f"step{'s' if len(unconfirmed) != 1 else ''}",
                None,
                cut(unconfirmed, "get_confirmation"),
            )
        )
    if situation.review_due and steps:
        found.append(
            _Candidate(
                "schedule_review_call",
                EFFECTS["schedule_review_call"].title,
                situation.review_due,
                None,
                cut(list(steps), "schedule_review_call"),
            )
        )
    for step_id in situation.risk_steps:
        if step_id in steps:
            found.append(
                _Candidate(
                    "answer_risk_questions",
                    EFFECTS["answer_risk_questions"].title.format(step=named(step_id)),
                    f"{named(step_id)} is high-risk and its risk questions are not all answered "
                    "'yes'",
                    step_id,
                    cut([step_id], "answer_risk_questions"),
                )
            )
    return found


def _quantiles(durations: Durations, shares: Sequence[float]) -> list[float]:
    """The durations' quantiles (Kaplan–Meier when some are open): the smallest value whose
    cumulative probability reaches each share."""
    values, probabilities = durations.distribution
    cumulative = np.cumsum(probabilities)
    index = np.searchsorted(cumulative, np.asarray(shares) - 1e-12, side="left")
    return [float(values[min(i, len(values) - 1)]) for i in index]


# Kept per sample (learned samples are shared by the plans of a workspace): a kept sample
# keeps its draw tables, built once.
@functools.lru_cache(maxsize=1_024)
def faster_half(durations: Durations) -> Durations:
    """The faster half of `durations`: evenly spaced quantiles below the median."""
    shares = [(k + 0.5) / (2 * _FAST_HALF_POINTS) for k in range(_FAST_HALF_POINTS)]
    return Durations(tuple(_quantiles(durations, shares)))


@functools.lru_cache(maxsize=1_024)
def shorter_tail(durations: Durations, share: float) -> Durations:
    """`durations` with `share` of each duration's excess over P75 cut: the slowest tail
    shortened, the order (and so the censoring) kept."""
    (start,) = _quantiles(durations, [TAIL_FROM])
    days = tuple(d - share * (d - start) if d > start else d for d in durations.days)
    return Durations(days, durations.censored)

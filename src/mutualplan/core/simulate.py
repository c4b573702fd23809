"""A generated deal history whose true step durations are known, and its replay as of any
past date. Pure (numpy); seeded, so one seed always gives the same history.

The truth the generator draws from (documented here, used by the calibration test):

- Account types: enterprise 30 %, mid_market 40 %, smb 30 % of deals.
- A step of type T in a deal of account type A takes ``max(1, round(X))`` whole days, X
  lognormal with median TRUE_MEDIAN_DAYS[T] × ACCOUNT_PACE[A] and sigma TRUE_SIGMA[T]:
  enterprise is 1.5 times as slow as mid_market, smb 0.6 times.
- Plans follow the standard template (`core.templates.STANDARD`): a step with no dependency
  starts when the deal is created, any other step the day its last dependency finishes
  (parallel tracks merge there); the deal is won the day its last step finishes.
- Planned turnarounds are the template's whatever the account type. The seller's target is the
  creation date plus the planned critical path times an optimism factor (40 % of sellers aim
  at 0.6–0.9 of it, 20 % leave 1.1–1.5 of it, the rest plan exactly on it) and times the
  account type's SELLER_PACE (sellers know enterprise deals run slow, though not how slow);
  each step's first due date is its planned finish scaled the same way.
- When a step is still not done the day after its due date, the due date slips by
  ``max(3, round(lognormal(median 10, sigma 0.5)))`` days with a reason drawn from
  SLIP_REASONS[T], again until it holds; the same day, every step waiting on it that is not
  done is pushed (same reason) to keep its planned time after it, if it had less. The day
  after the plan's target passes unfinished, the seller moves it (a retarget, reason drawn
  as the last step's) to that day plus the planned turnarounds of the work left times
  SELLER_PACE and a fresh optimism factor (at least 7 days on); and the day the last step's
  due date moves past the target, the target moves to it.
- LOST_SHARE[A] of deals are lost part-way: the day a step drawn uniformly from the plan
  (any but the first) is due to start; that step never starts, steps open that day stay
  unfinished. Whether and where a deal is lost does not depend on how long its steps take,
  so leaving lost deals out of a forecast's outcomes does not favour fast deals (were deals
  lost at a random moment, slow deals would be lost more often and the won ones look fast).
- Amounts are lognormal per account type (AMOUNT_MEDIAN, AMOUNT_SIGMA). An open deal's CRM
  close date is its target, 35 % of the time 5–30 days earlier than that (CRM optimism).

Creation dates spread uniformly over `DAYS_OF_HISTORY` days before `today`; what has not
happened by `today` is not recorded (open deals with partial progress).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from mutualplan.core.durations import StepColumns, StepObservation
from mutualplan.core.forecast import PlanToForecast, RemainingStep
from mutualplan.core.health import quarter_end
from mutualplan.core.learned import Learned
from mutualplan.core.templates import STANDARD, TemplateRow
from mutualplan.core.vocab import SlipReason

ACCOUNT_TYPES: tuple[str, ...] = ("enterprise", "mid_market", "smb")
ACCOUNT_SHARE: tuple[float, ...] = (0.3, 0.4, 0.3)
ACCOUNT_PACE: Mapping[str, float] = {"enterprise": 1.5, "mid_market": 1.0, "smb": 0.6}
TRUE_MEDIAN_DAYS: Mapping[str, float] = {
    "business_case": 12,
    "security_review": 20,
    "security_questionnaire": 8,
    "legal_redline": 18,
    "commercial_review": 5,
    "procurement_po": 9,
    "contract_execution": 5,
    "kickoff": 4,
}
TRUE_SIGMA: Mapping[str, float] = {
    "business_case": 0.5,
    "security_review": 0.6,
    "security_questionnaire": 0.4,
    "legal_redline": 0.6,
    "commercial_review": 0.4,
    "procurement_po": 0.5,
    "contract_execution": 0.4,
    "kickoff": 0.3,
}
# Sellers know enterprise deals run slow: they stretch the planned days of a target by this.
SELLER_PACE: Mapping[str, float] = {"enterprise": 1.4, "mid_market": 1.0, "smb": 0.7}
LOST_SHARE: Mapping[str, float] = {"enterprise": 0.25, "mid_market": 0.2, "smb": 0.15}
AMOUNT_MEDIAN: Mapping[str, float] = {"enterprise": 180_000, "mid_market": 55_000, "smb": 14_000}
AMOUNT_SIGMA: Mapping[str, float] = {"enterprise": 0.5, "mid_market": 0.45, "smb": 0.4}
DAYS_OF_HISTORY = 730

_R = SlipReason
# Why a step's due date slips: (reason, probability) per step type; other step types use
# DEFAULT_SLIP_REASONS.
DEFAULT_SLIP_REASONS: tuple[tuple[str, float], ...] = (
    (_R.COMPETING_PRIORITIES, 0.35),
    (_R.STAKEHOLDER_NOT_ENGAGED, 0.3),
    (_R.INTERNAL_READINESS, 0.2),
    (_R.OTHER, 0.15),
)
SLIP_REASONS: Mapping[str, tuple[tuple[str, float], ...]] = {
    "security_review": (
        (_R.LEGAL_OR_SECURITY_DELAY, 0.6), (_R.COMPETING_PRIORITIES, 0.25), (_R.OTHER, 0.15)
    ),
    "legal_redline": (
        (_R.LEGAL_OR_SECURITY_DELAY, 0.65), (_R.STAKEHOLDER_NOT_ENGAGED, 0.2), (_R.OTHER, 0.15)
    ),
    "security_questionnaire": ((_R.SELLER_SIDE_DELAY, 0.6), (_R.INTERNAL_READINESS, 0.4)),
    "commercial_review": ((_R.SELLER_SIDE_DELAY, 0.5), (_R.BUDGET_OR_PROCUREMENT, 0.5)),
    "procurement_po": ((_R.BUDGET_OR_PROCUREMENT, 0.7), (_R.STAKEHOLDER_NOT_ENGAGED, 0.3)),
}  # fmt: skip

_PREFIXES = (
    "Northwind", "Blue Ridge", "Summit", "Granite", "Harbor", "Cedar", "Ironwood", "Silverline",
    "Brightwater", "Redwood", "Lakeside", "Pinnacle", "Evergreen", "Copperfield", "Meridian",
    "Atlas", "Beacon", "Crescent", "Falcon", "Horizon", "Juniper", "Keystone", "Lighthouse",
    "Maple", "Oakridge", "Polaris", "Riverstone", "Sterling", "Timberline", "Vantage",
    "Westbrook", "Willow", "Zenith", "Bluebird", "Clearwater", "Foxglove", "Highland", "Kestrel",
)  # fmt: skip
_NOUNS = (
    ("Health", "Healthcare"), ("Medical", "Healthcare"), ("Logistics", "Logistics"),
    ("Freight", "Logistics"), ("Foods", "Food & Beverage"), ("Bank", "Financial Services"),
    ("Insurance", "Insurance"), ("Retail", "Retail"), ("Energy", "Energy"), ("Labs", "Biotech"),
    ("Manufacturing", "Manufacturing"), ("Systems", "Software"), ("Media", "Media"),
    ("Hotels", "Hospitality"), ("Pharma", "Pharmaceuticals"),
    ("Credit Union", "Financial Services"),
    ("Analytics", "Software"), ("Telecom", "Telecommunications"),
)  # fmt: skip
_SUFFIXES = ("", " Inc.", " Group", " Ltd", " Co.", " Holdings", " Partners")
_REGIONS = ("", " West", " East", " Europe", " Pacific", " Nordics", " Americas", " Central")


@dataclass(frozen=True)
class SimSlip:
    """A due date (or the plan's target) moved from `from_date` to `to_date` on `on`."""

    on: dt.date
    from_date: dt.date
    to_date: dt.date
    reason: str

    @property
    def days(self) -> int:
        return (self.to_date - self.from_date).days


@dataclass(frozen=True)
class SimStep:
    """One milestone of a generated deal. `started`/`finished` are None when that had not
    happened by the history's `today` (or never will: the deal was lost first);
    `true_days` is what it takes (or would have taken), observed or not."""

    key: str
    row: TemplateRow
    depends_on: tuple[str, ...]
    planned_days: int
    baseline_due: dt.date
    started: dt.date | None
    finished: dt.date | None
    true_days: int
    slips: tuple[SimSlip, ...]

    @property
    def step_type(self) -> str:
        return str(self.row.step_type)

    @property
    def due(self) -> dt.date:
        """The due date as it stands at the end of the history."""
        return self.slips[-1].to_date if self.slips else self.baseline_due

    def due_as_of(self, day: dt.date) -> dt.date:
        """The due date as it stood on `day` (after that day's slips)."""
        due = self.baseline_due
        for slip in self.slips:
            if slip.on <= day:
                due = slip.to_date
        return due


@dataclass(frozen=True)
class SimDeal:
    """A generated deal and its plan. `outcome` is "won", "lost" or "open" as of the
    history's today; `closed` is the day it was won or lost."""

    index: int
    account_name: str
    account_type: str
    industry: str
    amount: int
    created: dt.date
    baseline_target: dt.date
    retargets: tuple[SimSlip, ...]
    crm_close_date: dt.date
    outcome: str
    closed: dt.date | None
    steps: tuple[SimStep, ...]

    @property
    def target(self) -> dt.date:
        """The target as of the history's today."""
        return self.retargets[-1].to_date if self.retargets else self.baseline_target

    def target_as_of(self, day: dt.date) -> dt.date:
        target = self.baseline_target
        for retarget in self.retargets:
            if retarget.on <= day:
                target = retarget.to_date
        return target

    def is_open_on(self, day: dt.date) -> bool:
        return self.created <= day and (self.closed is None or self.closed > day)


@dataclass(frozen=True)
class History:
    today: dt.date
    seed: int
    deals: tuple[SimDeal, ...]


def _draw_reason(rng: np.random.Generator, step_type: str) -> str:
    choices = SLIP_REASONS.get(step_type, DEFAULT_SLIP_REASONS)
    pick = rng.choice(len(choices), p=[p for _, p in choices])
    return str(choices[int(pick)][0])


def _slips(
    rng: np.random.Generator,
    first_due: dt.date,
    done: dt.date | None,
    stop: dt.date,
    step_type: str,
    pushes: Sequence[tuple[dt.date, dt.date, str]] = (),
) -> tuple[SimSlip, ...]:
    """Slip a due date, the day after it passes, until it holds for `done` (None: never
    done); and, on the day a prerequisite slips, push it to no earlier than `pushes` says
    (day, earliest due, the prerequisite's reason) unless done by then. Only slips made by
    `stop` (today, or the day the deal was lost) are recorded."""
    slips: list[SimSlip] = []
    due = first_due
    waiting = sorted(pushes)
    while True:
        overrun = due + dt.timedelta(days=1) if done is None or done > due else None
        if waiting and (overrun is None or waiting[0][0] <= overrun):
            on, earliest, reason = waiting.pop(0)
            if on <= stop and (done is None or done > on) and earliest > due:
                slips.append(SimSlip(on, due, earliest, reason))
                due = earliest
            continue
        if overrun is None or overrun > stop:
            break
        days = max(3, round(float(rng.lognormal(np.log(10.0), 0.5))))
        moved = due + dt.timedelta(days=days)
        slips.append(SimSlip(overrun, due, moved, _draw_reason(rng, step_type)))
        due = moved
    return tuple(slips)


def _retargets(
    rng: np.random.Generator,
    dates: tuple[dt.date, dt.date, dt.date, dt.date],
    days_of: tuple[Mapping[str, int], Mapping[str, int]],
    pace: float,
    last_step: tuple[str, Sequence[SimSlip]],
) -> tuple[SimSlip, ...]:
    """The plan's target, the day after it passes unfinished, is moved to that day plus the
    planned turnarounds of the work left (the open steps' turnaround less the days spent,
    at least one day) along the template's critical path, times the seller's pace and a
    fresh optimism factor; and the day the last step's due date moves past it, to that date
    (same reason)."""
    created, target, done, stop = dates
    start_day, finish_day = days_of
    step_type, pushes = last_step
    waiting = sorted((s.on, s.to_date, s.reason) for s in pushes)
    slips: list[SimSlip] = []
    while True:
        overrun = target + dt.timedelta(days=1) if done > target else None
        if waiting and (overrun is None or waiting[0][0] <= overrun):
            on, later, reason = waiting.pop(0)
            if on <= stop and done > on and later > target:
                slips.append(SimSlip(on, target, later, reason))
                target = later
            continue
        if overrun is None or overrun > stop:
            break
        day = (overrun - created).days
        left = {
            row.key: 0
            if finish_day[row.key] <= day
            else max(1, row.turnaround_days - max(0, day - start_day[row.key]))
            for row in STANDARD.rows
        }
        remaining = max(_critical_path(STANDARD.rows, left).values())
        days = max(7, round(remaining * pace * _optimism(rng)))
        moved = max(target + dt.timedelta(days=7), overrun + dt.timedelta(days=days))
        slips.append(SimSlip(overrun, target, moved, _draw_reason(rng, step_type)))
        target = moved
    return tuple(slips)


def _optimism(rng: np.random.Generator) -> float:
    """How a seller stretches the planned days into a target: 40 % aim at 0.6–0.9 of them,
    20 % leave 1.1–1.5 of them, the others plan exactly on them."""
    roll = float(rng.random())
    if roll < 0.4:
        return float(rng.uniform(0.6, 0.9))
    if roll < 0.6:
        return float(rng.uniform(1.1, 1.5))
    return 1.0


def account_names(count: int, seed: int = 0) -> list[str]:
    """`count` distinct, real-looking company names (word lists combined), in a seeded order."""
    rng = np.random.default_rng(seed)
    base = [p + " " + n + s for p, (n, _), s in itertools.product(_PREFIXES, _NOUNS, _SUFFIXES)]
    names: list[str] = []
    for region in _REGIONS:
        order = rng.permutation(len(base))
        names.extend(base[i] + region for i in order)
        if len(names) >= count:
            break
    if count > len(names):
        raise ValueError(f"at most {len(names)} distinct account names")
    return names[:count]


def _industry(name: str) -> str:
    for noun, industry in _NOUNS:
        if f" {noun}" in name:
            return industry
    return ""


def _critical_path(rows: Sequence[TemplateRow], days: Mapping[str, int]) -> dict[str, int]:
    """Earliest finish of each row (days after creation) when row k takes days[k]."""
    finish: dict[str, int] = {}
    for row in rows:  # the template lists prerequisites first
        finish[row.key] = max((finish[d] for d in row.depends_on), default=0) + days[row.key]
    return finish


def generate(deals: int, today: dt.date, seed: int = 0) -> History:
    """A history of `deals` deals created over the `DAYS_OF_HISTORY` days before `today`."""
    if deals < 0:
        raise ValueError("the number of deals cannot be negative")
    rng = np.random.default_rng(seed)
    rows = STANDARD.rows
    planned = {row.key: row.turnaround_days for row in rows}
    planned_finish = _critical_path(rows, planned)
    planned_path = max(planned_finish.values())
    names = account_names(deals, seed)
    generated: list[SimDeal] = []
    for index in range(deals):
        account = ACCOUNT_TYPES[int(rng.choice(len(ACCOUNT_TYPES), p=ACCOUNT_SHARE))]
        created = today - dt.timedelta(days=int(rng.integers(0, DAYS_OF_HISTORY)))
        amount_step = 100 if account == "smb" else 500
        amount = float(rng.lognormal(np.log(AMOUNT_MEDIAN[account]), AMOUNT_SIGMA[account]))
        amount = max(amount_step, round(amount / amount_step) * amount_step)
        true_days = {
            row.key: max(
                1,
                round(
                    float(
                        rng.lognormal(
                            np.log(TRUE_MEDIAN_DAYS[row.step_type] * ACCOUNT_PACE[account]),
                            TRUE_SIGMA[row.step_type],
                        )
                    )
                ),
            )
            for row in rows
        }
        finish_day = _critical_path(rows, true_days)
        start_day = {k: finish_day[k] - true_days[k] for k in finish_day}
        optimism = _optimism(rng) * SELLER_PACE[account]
        baseline_target = created + dt.timedelta(days=max(1, round(planned_path * optimism)))
        lost_on: dt.date | None = None
        if rng.random() < LOST_SHARE[account]:
            # Lost when a step other than the first is due to start, whatever it would take:
            # losing is independent of how long the steps take (see the module docstring).
            at = rows[1 + int(rng.integers(0, len(rows) - 1))].key
            lost_on = created + dt.timedelta(days=start_day[at])
        won_on = created + dt.timedelta(days=max(finish_day.values()))
        stop = min(today, lost_on) if lost_on else today
        steps: list[SimStep] = []
        slipped: dict[str, tuple[SimSlip, ...]] = {}
        for row in rows:
            started = created + dt.timedelta(days=start_day[row.key])
            finished = created + dt.timedelta(days=finish_day[row.key])
            # A step due to start the day the deal is lost never starts; one finishing then did.
            if lost_on is not None and started >= lost_on:
                started_seen: dt.date | None = None
            else:
                started_seen = started if started <= today else None
            finished_seen = finished if finished <= stop and started_seen else None
            due = created + dt.timedelta(days=max(1, round(planned_finish[row.key] * optimism)))
            # When a prerequisite's due date moves, this step keeps its planned time after it.
            gap = dt.timedelta(days=max(1, round(row.turnaround_days * optimism)))
            pushes = [(s.on, s.to_date + gap, s.reason) for d in row.depends_on for s in slipped[d]]
            slipped[row.key] = _slips(rng, due, finished, stop, row.step_type, pushes)
            steps.append(
                SimStep(
                    key=row.key,
                    row=row,
                    depends_on=row.depends_on,
                    planned_days=row.turnaround_days,
                    baseline_due=due,
                    started=started_seen,
                    finished=finished_seen,
                    true_days=true_days[row.key],
                    slips=slipped[row.key],
                )
            )
        if lost_on is not None and lost_on <= today and lost_on < won_on:
            outcome, closed = "lost", lost_on
        elif won_on <= today and (lost_on is None or won_on <= lost_on):
            outcome, closed = "won", won_on
        else:
            outcome, closed = "open", None
        last = rows[-1].step_type
        retargets = _retargets(
            rng,
            (created, baseline_target, won_on, stop),
            (start_day, finish_day),
            SELLER_PACE[account],
            (str(last), slipped[rows[-1].key]),
        )
        target = retargets[-1].to_date if retargets else baseline_target
        if outcome != "open" and closed is not None:
            crm_close = closed
        elif rng.random() < 0.35:
            crm_close = target - dt.timedelta(days=int(rng.integers(5, 31)))
        else:
            crm_close = target
        generated.append(
            SimDeal(
                index=index,
                account_name=names[index],
                account_type=account,
                industry=_industry(names[index]),
                amount=int(amount),
                created=created,
                baseline_target=baseline_target,
                retargets=retargets,
                crm_close_date=crm_close,
                outcome=outcome,
                closed=closed,
                steps=tuple(steps),
            )
        )
    generated.sort(key=lambda deal: (deal.created, deal.index))
    return History(today, seed, tuple(generated))


def observations_as_of(history: History, day: dt.date) -> list[StepObservation]:
    """Every step started by `day`, as known then: finished by then, or open (censored at
    `day`, or at the day its deal was lost). Steps not started by `day` are absent."""
    if day > history.today:
        raise ValueError("a history cannot be replayed past its today")
    observations: list[StepObservation] = []
    for deal in history.deals:
        if deal.created > day:
            continue
        as_of = min(day, deal.closed) if deal.outcome == "lost" and deal.closed else day
        for step in deal.steps:
            if step.started is None or step.started > as_of:
                continue
            finished = step.finished if step.finished and step.finished <= as_of else None
            slips = [s for s in step.slips if s.on <= as_of]
            observations.append(
                StepObservation(
                    step_type=step.step_type,
                    account_type=deal.account_type,
                    started=step.started,
                    finished=finished,
                    as_of=as_of,
                    planned_days=step.planned_days,
                    slipped_days=sum(s.days for s in slips),
                    slip_reasons=tuple(s.reason for s in slips),
                )
            )
    return observations


def columns_as_of(history: History, day: dt.date) -> StepColumns:
    """`observations_as_of` column by column, what `learned.learn` takes."""
    return StepColumns.of(observations_as_of(history, day))


@dataclass(frozen=True)
class OpenPlan:
    """A deal open on a replay day and its remaining steps, ready to forecast."""

    deal: SimDeal
    plan: PlanToForecast


def open_plans_as_of(history: History, day: dt.date, learned: Learned) -> list[OpenPlan]:
    """The deals open on `day` with their steps not finished by then: a step started by
    `day` is in progress for the days spent so far, the others wait on their dependencies.
    Durations come from `learned` (learn it from `columns_as_of` the same day: no peeking).
    Each plan's seed is fixed by the history's seed, the deal and the day."""
    if day > history.today:
        raise ValueError("a history cannot be replayed past its today")
    plans: list[OpenPlan] = []
    for deal in history.deals:
        if not deal.is_open_on(day):
            continue
        remaining = []
        for step in deal.steps:
            if step.finished is not None and step.finished <= day:
                continue
            durations, _ = learned.durations(step.step_type, deal.account_type, step.planned_days)
            started = step.started is not None and step.started <= day
            remaining.append(
                RemainingStep(
                    id=step.key,
                    durations=durations,
                    depends_on=step.depends_on,
                    in_progress=started,
                    days_spent=float((day - step.started).days)
                    if step.started and started
                    else 0.0,
                )
            )
        seed = (history.seed * 1_000_003 + deal.index) * 100_003 + day.toordinal()
        plans.append(
            OpenPlan(
                deal,
                PlanToForecast(
                    steps=tuple(remaining),
                    today=day,
                    target=deal.target_as_of(day),
                    quarter_end=quarter_end(day, 1),
                    seed=seed % (2**63),
                ),
            )
        )
    return plans

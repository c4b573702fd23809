"""Close-date forecasts of open plans: their remaining steps read from the database, each
drawing its duration from the workspace's learned history (`plans.learning`), forecast
together by the core (`core.forecast.forecast_many`). Read-only; a fixed number of queries
for any number of plans.

A remaining step whose prerequisites are all completed has started: its clock runs from the
last prerequisite's completion (or the day the row was added) and the forecast conditions it
on the days already spent, as the history counts them. Each plan's draws are seeded by its id,
so the same plan in the same state gets the same forecast.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from mutualplan.core.forecast import (
    DEFAULT_SAMPLES,
    DependencyCycle,
    PlanForecast,
    PlanToForecast,
    RemainingStep,
    StepForecast,
    forecast_many,
)
from mutualplan.core.health import quarter_end
from mutualplan.core.learned import Basis, Learned
from mutualplan.core.replay import RowState
from mutualplan.core.vocab import (
    CLOSED_PLAN_STATUSES,
    MilestoneStatus,
    OwnerSide,
    StepType,
)
from mutualplan.plans.learning import learned_durations
from mutualplan.plans.models import Milestone, Plan
from mutualplan.plans.queries import parse_ids, with_dependency_ids
from mutualplan.plans.replay import states_as_of
from mutualplan.workspaces.clock import date_in, today_for, zone_of
from mutualplan.workspaces.models import Workspace


@dataclass(frozen=True)
class StepOutlook:
    """A remaining step: whether its clock runs (and for how long), how often it is on the
    longest path, and what its drawn durations rest on."""

    milestone_id: int
    title: str
    step_type: str
    owner_side: str
    status: str
    due_date: dt.date | None
    started: bool
    days_spent: int
    criticality: float
    beyond_history: bool
    basis: Basis


@dataclass(frozen=True)
class PlanOutlook:
    """A plan's forecast as of `today`. `p_by_target` is None when the plan has no target."""

    plan_id: int
    today: dt.date
    target: dt.date | None
    quarter_end: dt.date
    samples: int
    p_by_target: float | None
    p_by_quarter_end: float
    p50: dt.date
    p80: dt.date
    p90: dt.date
    steps: tuple[StepOutlook, ...]  # most critical first
    # The chance of finishing by each of the `horizons` asked for, in their order.
    p_by_horizon: tuple[float, ...] = ()
    # (quantile, date) from P10 to P90: the fan chart's edges.
    fan: tuple[tuple[float, dt.date], ...] = ()

    @property
    def remaining(self) -> int:
        return len(self.steps)


@dataclass(frozen=True)
class _Row:
    id: int
    plan_id: int
    title: str
    step_type: str
    owner_side: str
    status: str
    due_date: dt.date | None
    done_on: dt.date | None
    added_on: dt.date
    turnaround_days: int | None
    depends_on: tuple[int, ...]


_ROW_FIELDS = (
    "id",
    "plan_id",
    "title",
    "step_type",
    "owner_side",
    "status",
    "due_date",
    "completed_at",
    "added_at",
    "turnaround_days",
)


def _rows(workspace: Workspace, plan_ids: Sequence[int]) -> dict[int, list[_Row]]:
    found = (
        with_dependency_ids(Milestone.objects.filter(plan_id__in=plan_ids))
        .order_by("position", "id")
        .values(*_ROW_FIELDS, "dependency_ids")
    )
    by_plan: dict[int, list[_Row]] = defaultdict(list)
    for r in found:
        added = date_in(workspace, r["added_at"])
        done = r["completed_at"]
        if r["status"] == MilestoneStatus.DONE and done is None:
            done = added
        by_plan[r["plan_id"]].append(
            _Row(
                id=r["id"],
                plan_id=r["plan_id"],
                title=r["title"],
                step_type=r["step_type"],
                owner_side=r["owner_side"],
                status=r["status"],
                due_date=r["due_date"],
                done_on=done,
                added_on=added,
                turnaround_days=r["turnaround_days"],
                depends_on=tuple(parse_ids(r["dependency_ids"])),
            )
        )
    return by_plan


def _remaining(
    rows: list[_Row], account_type: str, learned: Learned, today: dt.date
) -> tuple[list[RemainingStep], dict[str, tuple[_Row, Basis, bool, int]]]:
    done_on = {r.id: r.done_on for r in rows if r.done_on is not None and r.done_on <= today}
    steps: list[RemainingStep] = []
    about: dict[str, tuple[_Row, Basis, bool, int]] = {}
    ids = {r.id for r in rows}
    for row in rows:
        if row.id in done_on:
            continue
        prerequisites = [p for p in row.depends_on if p in ids]
        started = all(p in done_on for p in prerequisites)
        start = max([row.added_on, *(done_on[p] for p in prerequisites if p in done_on)])
        spent = max(0, (today - start).days) if started else 0
        durations, basis = learned.durations(row.step_type, account_type, row.turnaround_days)
        steps.append(
            RemainingStep(
                str(row.id),
                durations,
                tuple(str(p) for p in prerequisites if p not in done_on),
                in_progress=started,
                days_spent=float(spent),
            )
        )
        about[str(row.id)] = (row, basis, started, spent)
    return steps, about


def _outlook(
    plan: Plan,
    target: dt.date | None,
    today: dt.date,
    ends: dt.date,
    forecast: PlanForecast,
    about: dict[str, tuple[_Row, Basis, bool, int]],
) -> PlanOutlook:
    def step(found: StepForecast) -> StepOutlook:
        row, basis, started, spent = about[found.id]
        return StepOutlook(
            milestone_id=row.id,
            title=row.title,
            step_type=row.step_type,
            owner_side=row.owner_side,
            status=row.status,
            due_date=row.due_date,
            started=started,
            days_spent=spent,
            criticality=found.criticality,
            beyond_history=found.beyond_history,
            basis=basis,
        )

    steps = sorted((step(s) for s in forecast.steps), key=lambda s: -s.criticality)
    return PlanOutlook(
        plan_id=plan.pk,
        today=today,
        target=target,
        quarter_end=ends,
        samples=forecast.samples,
        p_by_target=forecast.p_by_target if target else None,
        p_by_quarter_end=forecast.p_by_quarter_end,
        p50=forecast.p50,
        p80=forecast.p80,
        p90=forecast.p90,
        steps=tuple(steps),
        p_by_horizon=forecast.p_by_horizon,
        fan=forecast.fan,
    )


def _as_of(
    workspace: Workspace, plans: Sequence[Plan], day: dt.date
) -> tuple[list[Plan], dict[int, dt.date | None], dict[int, list[_Row]]]:
    """The plans open at the end of `day` (workspace time), their target then, and their rows
    as they stood: rows added later left out, removed ones back, each field as it was."""
    zone = zone_of(workspace.time_zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    states = states_as_of(plans, end - dt.timedelta(microseconds=1))
    open_plans = [
        p for p in plans if (s := states[p.pk]) is not None and s.status not in CLOSED_PLAN_STATUSES
    ]
    now = _rows(workspace, [p.pk for p in open_plans])
    rows: dict[int, list[_Row]] = {}
    for plan in open_plans:
        state = states[plan.pk]
        assert state is not None
        current = {r.id: r for r in now.get(plan.pk, [])}
        created = date_in(workspace, plan.created_at)
        rows[plan.pk] = [
            _replayed_row(plan.pk, r, current.get(r.row_id), created, day) for r in state.rows
        ]
    return open_plans, {p.pk: states[p.pk].target_date for p in open_plans}, rows  # type: ignore[union-attr]


def _replayed_row(
    plan_id: int, state: RowState, now: _Row | None, created: dt.date, day: dt.date
) -> _Row:
    status = state.status or (now.status if now else MilestoneStatus.NOT_STARTED)
    done = state.completed_at
    if status == MilestoneStatus.DONE and (done is None or done > day):
        done = day  # done then, on a day the records do not tell
    elif status != MilestoneStatus.DONE:
        done = None
    return _Row(
        id=state.row_id,
        plan_id=plan_id,
        title=state.title or (now.title if now else ""),
        step_type=state.step_type or (now.step_type if now else StepType.CUSTOM.value),
        owner_side=state.owner_side or (now.owner_side if now else OwnerSide.JOINT.value),
        status=status,
        due_date=state.due_date,
        done_on=done,
        added_on=now.added_on if now else created,
        turnaround_days=state.turnaround_days
        if state.turnaround_days is not None
        else (now.turnaround_days if now else None),
        # Links the records cannot tell (made before they were kept): today's.
        depends_on=state.depends_on
        if state.depends_on is not None
        else (now.depends_on if now else ()),
    )


@dataclass(frozen=True)
class ForecastInput:
    """What the core forecasts of one open plan, and what each of its steps is about."""

    plan: Plan
    to_forecast: PlanToForecast
    about: dict[str, tuple[_Row, Basis, bool, int]]
    target: dt.date | None  # the plan's target date then (None: it had none)


def forecast_inputs(
    workspace: Workspace,
    plans: Sequence[Plan],
    today: dt.date,
    learned: Learned | None = None,
    horizons: Sequence[dt.date] = (),
) -> list[ForecastInput]:
    """The core's input for each open plan of `plans` (won and lost ones are left out, and a
    plan with no steps yet: it has nothing to forecast), in their order; one query besides
    the learned history's. `horizons`: more dates to give the chance of finishing by."""
    learned = learned if learned is not None else learned_durations(workspace, today)
    ends = quarter_end(today, workspace.fiscal_year_start_month)
    open_plans = [
        p for p in plans if p.workspace_id == workspace.pk and p.status not in CLOSED_PLAN_STATUSES
    ]
    if today < today_for(workspace):
        # A past day: each plan as it stood then (replayed), with nothing later leaking in.
        replayed = [p for p in plans if p.workspace_id == workspace.pk]
        open_plans, targets, rows = _as_of(workspace, replayed, today)
    else:
        rows = _rows(workspace, [p.pk for p in open_plans])
        targets = {p.pk: p.target_date for p in open_plans}
    found = []
    for plan in open_plans:
        if not rows.get(plan.pk):
            continue
        steps, about = _remaining(rows[plan.pk], plan.deal.account_type, learned, today)
        target = targets[plan.pk]
        found.append(
            ForecastInput(
                plan,
                PlanToForecast(
                    tuple(steps),
                    today,
                    target or ends,
                    ends,
                    seed=plan.pk,
                    horizons=tuple(horizons),
                ),
                about,
                target,
            )
        )
    return found


def forecast_plans(
    workspace: Workspace,
    plans: Sequence[Plan],
    today: dt.date | None = None,
    samples: int = DEFAULT_SAMPLES,
    learned: Learned | None = None,
    horizons: Sequence[dt.date] = (),
) -> dict[int, PlanOutlook]:
    """The forecast of each open plan of `plans` (won and lost ones are left out), by plan id.
    Plans must belong to `workspace` and come with their deal (select_related). `horizons`:
    more dates to give the chance of finishing by (`PlanOutlook.p_by_horizon`)."""
    today = today or today_for(workspace)
    found = forecast_inputs(workspace, plans, today, learned, horizons)
    return outlooks(workspace, found, today, samples)


Drawn = list[tuple[ForecastInput, PlanForecast]]


def draw(found: Sequence[ForecastInput], samples: int = DEFAULT_SAMPLES) -> Drawn:
    """The core's forecast of each plan of `found`, in one vectorised call; no query."""
    kept = list(found)
    try:
        results = forecast_many([one.to_forecast for one in kept], samples)
    except DependencyCycle:
        # The database keeps plans free of cycles; should one slip in, it alone goes without.
        kept = [one for one in kept if _forecastable(one.to_forecast)]
        results = forecast_many([one.to_forecast for one in kept], samples)
    return list(zip(kept, results, strict=True))


def outlooks(
    workspace: Workspace,
    found: Sequence[ForecastInput],
    today: dt.date,
    samples: int = DEFAULT_SAMPLES,
) -> dict[int, PlanOutlook]:
    """The forecast of each plan of `found` (`forecast_inputs`), by plan id; no query."""
    return outlooks_of(workspace, draw(found, samples), today)


def outlooks_of(workspace: Workspace, drawn: Drawn, today: dt.date) -> dict[int, PlanOutlook]:
    """The outlook of each plan already drawn (`draw`), by plan id."""
    ends = quarter_end(today, workspace.fiscal_year_start_month)
    return {
        one.plan.pk: _outlook(one.plan, one.target, today, ends, result, one.about)
        for one, result in drawn
    }


def _forecastable(plan: PlanToForecast) -> bool:
    """Whether the plan's steps are free of dependency cycles."""
    try:
        forecast_many([plan], 1)
    except DependencyCycle:
        return False
    return True

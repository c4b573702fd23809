"""Next best actions of open plans: the facts each candidate needs read from the database (the
health facts, the workspace's stale days, the next call booked), the plans' forecast inputs
(`plans.forecasting`), then the core's ranking (`core.actions`). Read-only; a fixed number of
queries for any number of plans."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Max

from mutualplan.core.actions import Action, Situation, next_actions_many
from mutualplan.core.forecast import DEFAULT_SAMPLES
from mutualplan.core.health import PlanFacts, plan_health, stale_buyer_rows
from mutualplan.core.learned import Learned
from mutualplan.core.vocab import CLOSED_PLAN_STATUSES, PlanStatus
from mutualplan.plans.forecasting import (
    Drawn,
    ForecastInput,
    PlanOutlook,
    draw,
    forecast_inputs,
    outlooks_of,
)
from mutualplan.plans.health import facts_by_plan, health_settings
from mutualplan.plans.models import Call, Plan
from mutualplan.workspaces.clock import today_for
from mutualplan.workspaces.models import Workspace


@dataclass(frozen=True)
class NextAction:
    """One action, about a milestone (`milestone_id`) or the whole plan (None)."""

    code: str
    title: str
    explanation: str
    milestone_id: int | None
    effect_pp: float


def next_action_dict(action: NextAction) -> dict[str, Any]:
    """An action as the API and the command line give it."""
    return {
        "code": action.code,
        "title": action.title,
        "explanation": action.explanation,
        "milestone_id": action.milestone_id,
        "effect_pp": action.effect_pp,
    }


def _booked_calls(plan_ids: Sequence[int]) -> dict[int, dt.date | None]:
    """The latest next-call date booked on each plan's calls (one query)."""
    return dict(
        Call.objects.filter(plan_id__in=plan_ids)
        .order_by()
        .values("plan_id")
        .annotate(booked=Max("next_call_on"))
        .values_list("plan_id", "booked")
    )


def _review_due(
    plan: Plan, facts: PlanFacts, codes: set[str], booked: dt.date | None, today: dt.date
) -> str:
    if plan.status != PlanStatus.ACTIVE:
        return ""
    if "not_reviewed" in codes:
        last = facts.last_call_on
        return (
            f"no call has reviewed the plan since {last.isoformat()}"
            if last
            else "no call has reviewed the plan yet"
        )
    if booked is None or booked < today:
        return "no next call is booked"
    return ""


def situation(
    one: ForecastInput,
    facts: PlanFacts,
    stale_days: int,
    booked: dt.date | None,
    today: dt.date,
    findings_codes: dict[str, tuple[int, ...]],
) -> Situation:
    """What the core's candidates read of one plan."""
    remaining = {int(i) for i in one.about}
    stale = {
        str(r.id): (today - (r.status_updated_on or facts.created_on)).days
        for r in stale_buyer_rows(facts, stale_days, today)
        if r.id in remaining
    }
    return Situation(
        titles={key: about[0].title for key, about in one.about.items()},
        has_target=one.target is not None,
        stale_steps=stale,
        unconfirmed_steps=tuple(
            str(r.id) for r in facts.rows if r.id in remaining and not r.confirmed
        ),
        review_due=_review_due(one.plan, facts, set(findings_codes), booked, today),
        risk_steps=tuple(
            str(i) for i in findings_codes.get("high_risk_unknowns", ()) if i in remaining
        ),
    )


def next_actions_by_plan(
    workspace: Workspace,
    plans: Sequence[Plan],
    today: dt.date | None = None,
    samples: int = DEFAULT_SAMPLES,
    learned: Learned | None = None,
    facts: Mapping[int, PlanFacts] | None = None,
) -> dict[int, list[NextAction]]:
    """The next best actions of each open plan of `plans`, largest effect first, by plan id
    (won and lost plans are left out). Plans come with their deal (select_related); `facts`:
    their health facts, when the caller has read them already."""
    today = today or today_for(workspace)
    return ranked_actions(
        workspace, forecast_inputs(workspace, plans, today, learned), today, samples, facts
    )


def ranked_actions(
    workspace: Workspace,
    inputs: Sequence[ForecastInput],
    today: dt.date,
    samples: int = DEFAULT_SAMPLES,
    facts: Mapping[int, PlanFacts] | None = None,
    drawn: Drawn | None = None,
) -> dict[int, list[NextAction]]:
    """`next_actions_by_plan` of plans already read (`forecast_inputs`), with their health
    facts and their forecasts (`draw`) when the caller has them; a plan whose steps form a
    cycle gets none."""
    drawn = draw(inputs, samples) if drawn is None else drawn
    if not drawn:
        return {}
    open_plans = [one.plan for one, _ in drawn]
    if facts is None or any(p.pk not in facts for p in open_plans):
        facts = facts_by_plan(workspace, open_plans, today)
    booked = _booked_calls([p.pk for p in open_plans])
    settings = health_settings(workspace)
    items = []
    for one, _ in drawn:
        plan_facts = facts[one.plan.pk]
        codes = {f.code: f.milestone_ids for f in plan_health(plan_facts, settings, today)}
        found = situation(
            one, plan_facts, settings.stale_days, booked.get(one.plan.pk), today, codes
        )
        items.append((one.to_forecast, found))
    ranked = next_actions_many(items, samples, [base for _, base in drawn])
    return {
        one.plan.pk: [_of(action) for action in actions]
        for (one, _), actions in zip(drawn, ranked, strict=True)
    }


def _of(action: Action) -> NextAction:
    return NextAction(
        action.code,
        action.title,
        action.explanation,
        int(action.step_id) if action.step_id is not None else None,
        action.effect_pp,
    )


@dataclass(frozen=True)
class PlanOutlookWithActions:
    """A plan's forecast and its next best actions, as the plan page, API and CLI show them."""

    outlook: PlanOutlook
    actions: list[NextAction]


def plan_forecast(
    plan: Plan,
    samples: int = DEFAULT_SAMPLES,
    today: dt.date | None = None,
    facts: Mapping[int, PlanFacts] | None = None,
) -> PlanOutlookWithActions | None:
    """One plan's forecast and next best actions; None when it is won or lost or has no steps
    yet (`no_forecast_reason` says which). `facts`: its health facts (`facts_by_plan`), when
    the caller has read them already."""
    workspace = plan.workspace
    today = today or today_for(workspace)
    inputs = forecast_inputs(workspace, [plan], today)
    drawn = draw(inputs, samples)  # once, for the outlook and as the actions' base
    outlook = outlooks_of(workspace, drawn, today).get(plan.pk)
    if outlook is None:
        return None
    actions = ranked_actions(workspace, inputs, today, samples, facts, drawn).get(plan.pk, [])
    return PlanOutlookWithActions(outlook, actions)


def no_forecast_reason(plan: Plan) -> str:
    """Why `plan_forecast` gave the plan none, in words for the API, page and command line."""
    if plan.status in CLOSED_PLAN_STATUSES:
        return f"plan {plan.pk} is {plan.status}: a closed plan has no forecast"
    if not plan.milestones.exists():
        return f"plan {plan.pk} has no steps yet: add them to get a forecast"
    # The database keeps plans free of cycles: this is for one that slipped in anyway.
    return f"plan {plan.pk}'s steps wait for each other in a cycle: no forecast until it is broken"


def forecast_dict(found: PlanOutlookWithActions) -> dict[str, Any]:
    """The forecast as the API and the command line give it."""
    o = found.outlook
    return {
        "plan_id": o.plan_id,
        "today": o.today,
        "target_date": o.target,
        "quarter_end": o.quarter_end,
        "samples": o.samples,
        "p_by_target": o.p_by_target,
        "p_by_quarter_end": o.p_by_quarter_end,
        "p50": o.p50,
        "p80": o.p80,
        "p90": o.p90,
        "fan": [{"quantile": q, "date": d} for q, d in o.fan],
        "steps": [
            {
                "milestone_id": s.milestone_id,
                "title": s.title,
                "step_type": s.step_type,
                "owner_side": s.owner_side,
                "started": s.started,
                "days_spent": s.days_spent,
                "criticality": round(s.criticality, 4),
                "beyond_history": s.beyond_history,
                "rests_on": {
                    "kind": s.basis.kind,
                    "observations": s.basis.observations,
                    "text": s.basis.text,
                },
            }
            for s in o.steps
        ],
        "actions": [next_action_dict(a) for a in found.actions],
    }

"""Seller routes of a plan's close-date forecast and its next best actions (never on the
buyer side)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from mutualplan.api.auth import seller
from mutualplan.api.responses import answers
from mutualplan.api.schemas.forecast import NextActionsOut, PlanForecastOut
from mutualplan.core.forecast import DEFAULT_SAMPLES
from mutualplan.plans import access
from mutualplan.plans.errors import Invalid
from mutualplan.plans.models import Plan
from mutualplan.plans.next_actions import (
    PlanOutlookWithActions,
    forecast_dict,
    next_action_dict,
    no_forecast_reason,
    plan_forecast,
)

router = Router(tags=["forecast"])
MIN_SAMPLES, MAX_SAMPLES = 100, 20_000


class ForecastQuery(Schema):
    samples: int = Field(
        DEFAULT_SAMPLES,
        ge=MIN_SAMPLES,
        le=MAX_SAMPLES,
        description="How many Monte Carlo samples to draw.",
    )


def _open_forecast(plan: Plan, samples: int) -> PlanOutlookWithActions:
    found = plan_forecast(plan, samples)
    if found is None:
        raise Invalid.field("plan_id", no_forecast_reason(plan))
    return found


@router.get(
    "/plans/{int:plan_id}/forecast", response=answers({200: PlanForecastOut}, 401, 400, 404)
)
def get_forecast(request: HttpRequest, plan_id: int, query: Query[ForecastQuery]) -> dict[str, Any]:
    """The plan's close-date forecast: the chance of finishing by the target and by the
    quarter end, the P50/P80/P90 dates, the fan (P10 to P90), each remaining step's
    criticality and what its durations rest on, and the next best actions. 400 for a won or
    lost plan, or one with no steps yet."""
    workspace, _ = seller(request)
    plan = access.get_plan(workspace, plan_id)
    return forecast_dict(_open_forecast(plan, query.samples))


@router.get(
    "/plans/{int:plan_id}/next-actions", response=answers({200: NextActionsOut}, 401, 400, 404)
)
def get_next_actions(
    request: HttpRequest, plan_id: int, query: Query[ForecastQuery]
) -> dict[str, Any]:
    """The plan's next best actions, largest estimated effect on the chance of finishing by
    the target first, each with its effect in percentage points and the assumption behind it.
    400 for a won or lost plan, or one with no steps yet."""
    workspace, _ = seller(request)
    plan = access.get_plan(workspace, plan_id)
    found = _open_forecast(plan, query.samples)
    return {"actions": [next_action_dict(a) for a in found.actions]}

"""The seller plan page's Forecast card: the chance of finishing by the target and by the
quarter end, the P50/P80/P90 dates, the fan chart, the most critical steps and the next best
actions. Seller only: the buyer page, buyer API, documents and emails never show it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from mutualplan.core.fan_chart import FanChart, render_fan_chart
from mutualplan.core.health import PlanFacts
from mutualplan.core.vocab import CLOSED_PLAN_STATUSES
from mutualplan.plans.models import Plan
from mutualplan.plans.next_actions import no_forecast_reason, plan_forecast

# Samples per plan page: enough for a steady figure, cheap enough for every page view.
PAGE_SAMPLES = 2_000
CRITICAL_SHOWN = 3


def percent(share: float | None) -> str:
    return "" if share is None else f"{round(100 * share)} %"


def forecast_card(
    plan: Plan, today: dt.date, facts: Mapping[int, PlanFacts] | None = None
) -> dict[str, Any] | None:
    """What the card shows; None for a won or lost plan (no card), `unavailable` (why) for an
    open plan with no forecast (no steps yet). `facts`: the plan's health facts, when the page
    has read them already."""
    found = plan_forecast(plan, PAGE_SAMPLES, today, facts)
    if found is None:
        if plan.status in CLOSED_PLAN_STATUSES:
            return None
        return {"unavailable": no_forecast_reason(plan)}
    o = found.outlook
    chart = FanChart(o.today, o.fan, o.target, o.p_by_target, o.quarter_end, o.p_by_quarter_end)
    return {
        "outlook": o,
        "p_by_target": percent(o.p_by_target),
        "p_by_quarter_end": percent(o.p_by_quarter_end),
        "fan_chart": render_fan_chart(
            chart,
            title=f"Forecast finish of the plan for {plan.deal.account_name}",
            id_prefix=f"fan-{plan.pk}",
        ),
        "critical": [
            {"step": s, "criticality": percent(s.criticality)} for s in o.steps[:CRITICAL_SHOWN]
        ],
        "actions": found.actions,
    }

"""Analytics through the API: the step-duration and deal-cycle tables of the workspace's
history, as known on a day, for one account type or all."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from mutualplan.api.auth import seller
from mutualplan.api.responses import answers
from mutualplan.api.schemas.analytics import CyclesOut, DurationsOut
from mutualplan.plans import analytics
from mutualplan.workspaces.clock import today_for
from mutualplan.workspaces.models import Workspace

router = Router(tags=["analytics"])


class AnalyticsFilters(Schema):
    as_of: dt.date | None = Field(
        None, description="Read the history as of this day (default today)"
    )
    account_type: str | None = Field(
        None,
        max_length=analytics.MAX_ACCOUNT_TYPE,
        description="Only this account type (with each step type's overall row)",
    )


def _filters(workspace: Workspace, filters: AnalyticsFilters) -> tuple[dt.date, str | None]:
    today = today_for(workspace)
    as_of = analytics.check_as_of(filters.as_of, today) if filters.as_of else today
    return as_of, analytics.parse_account_type(filters.account_type, workspace)


@router.get("/analytics/durations", response=answers({200: DurationsOut}, 401, 400))
def durations(request: HttpRequest, filters: Query[AnalyticsFilters]) -> dict[str, Any]:
    """Turnaround per step type, overall (account_type null) and per account type: median and
    P80 (open steps count as lasting at least as long as they have been open; small groups
    shrunk toward all deals), planned vs actual, slips and their top reasons."""
    workspace, _ = seller(request)
    table = analytics.durations(workspace, *_filters(workspace, filters))
    return {
        "as_of": table.as_of,
        "account_type": table.account_type,
        "account_types": table.account_types,
        "rows": [analytics.duration_dict(r) for r in table.rows],
    }


@router.get("/analytics/cycles", response=answers({200: CyclesOut}, 401, 400))
def cycles(request: HttpRequest, filters: Query[AnalyticsFilters]) -> dict[str, Any]:
    """Per account type and quarter closed (quarter null: all quarters): deals won and lost,
    win rate, cycle length of won deals, and days late against the first target."""
    workspace, _ = seller(request)
    table = analytics.cycles(workspace, *_filters(workspace, filters))
    return {
        "as_of": table.as_of,
        "account_type": table.account_type,
        "account_types": table.account_types,
        "rows": [analytics.cycle_dict(r) for r in table.rows],
    }

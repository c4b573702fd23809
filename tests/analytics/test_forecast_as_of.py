"""A forecast made as of a past day sees each plan as it stood then (replayed from its
records): the target it had, the rows it had, open what was open; nothing later leaks in."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mutualplan.plans.forecasting import forecast_plans
from mutualplan.plans.models import Plan
from mutualplan.workspaces.models import Workspace
from tests.api.test_replay import BASE, STEP, history  # noqa: F401  (the fixture)
from tests.conftest import TODAY


def outlook_on(workspace: Workspace, pid: int, day: dt.date | None) -> Any:
    plans = list(Plan.objects.select_related("deal").filter(id=pid))
    return forecast_plans(workspace, plans, today=day, samples=200)[pid]


def test_a_forecast_as_of_a_past_day_uses_the_plan_as_it_stood_that_day(
    history: tuple[int, list[Any]],  # noqa: F811
    workspace: Workspace,
) -> None:
    pid, shown = history
    then = (BASE + 2 * STEP).date()  # the pilot row added, the first row not yet done
    past = outlook_on(workspace, pid, then)
    now = outlook_on(workspace, pid, None)
    past_titles = {s.title for s in past.steps}
    now_titles = {s.title for s in now.steps}
    assert past.target == TODAY + dt.timedelta(days=90)
    assert now.target == TODAY + dt.timedelta(days=104)
    assert "Pilot" in past_titles and "Pilot" not in now_titles
    assert len(past.steps) == len(now.steps) + 3  # pilot, the removed row, the first row open
    assert past.today == then and past.p50 >= then


def test_before_a_plan_existed_it_has_no_forecast(
    history: tuple[int, list[Any]],  # noqa: F811
    workspace: Workspace,
) -> None:
    pid, _ = history
    plans = list(Plan.objects.select_related("deal").filter(id=pid))
    assert forecast_plans(workspace, plans, today=(BASE - STEP).date(), samples=200) == {}

"""A forecast made as of a past day sees each plan as it stood then (replayed from its
records): the target it had, the rows it had, open what was open; nothing later leaks in."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mutualplan.plans.forecasting import forecast_inputs, forecast_plans
from mutualplan.plans.models import Plan
from mutualplan.workspaces.clock import today_for
from mutualplan.workspaces.models import Workspace
from tests.api.test_exact_replay import Story
from tests.api.test_replay import BASE, STEP, history  # noqa: F401  (the fixture)
from tests.conftest import TODAY, Api


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


def test_a_forecast_as_of_a_past_day_uses_the_prerequisites_each_step_had_then(
    owner_api: Api, workspace: Workspace
) -> None:
    story = Story(owner_api)
    business_case, security, questionnaire, legal, _, signature = (r["id"] for r in story.rows[:6])
    path = f"/plans/{story.pid}/milestones"
    story.edit_row(questionnaire, depends_on=[business_case, security])  # day 1
    story.step(lambda: owner_api.delete(f"{path}/{legal}"))  # day 2: the signature loses it

    def prerequisites(day: dt.date | None) -> dict[str, set[str]]:
        plans = list(Plan.objects.select_related("deal").filter(id=story.pid))
        (found,) = forecast_inputs(workspace, plans, day or today_for(workspace))
        return {s.id: set(s.depends_on) for s in found.to_forecast.steps}

    first_day, now = prerequisites(BASE.date()), prerequisites(None)
    assert first_day[str(questionnaire)] == {str(business_case)}
    assert first_day[str(signature)] >= {str(legal)}
    assert now[str(questionnaire)] == {str(business_case), str(security)}
    assert str(legal) not in now and str(legal) not in now[str(signature)]

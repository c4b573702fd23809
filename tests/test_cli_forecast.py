"""`mutualplan forecast ID`: the plan's forecast in the terminal, or the API's JSON."""

from __future__ import annotations

import json
import re
from typing import Any

from click.testing import CliRunner

from mutualplan.cli import main
from mutualplan.plans.models import Milestone, Plan
from tests.conftest import Api, api_for, seller_plan
from tests.web.test_escalations import stale_buyer_step


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_the_forecast_prints_its_figures_critical_steps_and_actions(owner: Any) -> None:
    plan = seller_plan(owner)
    row = stale_buyer_step(plan)
    result = run("forecast", str(plan["id"]), "--user", owner.email)
    assert result.exit_code == 0, result.output
    out = result.output
    assert f"Forecast of plan {plan['id']} as of" in out and "(2000 samples)" in out
    assert re.search(rf"^target +{plan['target_date']} +\d+ %$", out, re.MULTILINE)
    for label in ("quarter end", "P50 (half of forecasts)", "P80", "P90"):
        assert label in out
    assert "Most critical remaining steps" in out
    assert "the planned turnaround (no history yet)" in out
    assert "Next best actions" in out
    assert f"Escalate '{row.title}'" in out
    assert "Estimated +" in out and " pp: " in out


def test_the_forecast_as_json_is_the_apis(owner: Any, workspace: Any) -> None:
    plan = seller_plan(owner)
    api: Api = api_for(owner, workspace)
    result = run("forecast", str(plan["id"]), "--json", "--samples", "500", "--user", owner.email)
    assert result.exit_code == 0, result.output
    assert (
        json.loads(result.output) == api.get(f"/plans/{plan['id']}/forecast?samples=500").json_body
    )


def test_an_unknown_or_another_workspaces_plan_is_refused_with_exit_2(
    owner: Any, outsider: Any
) -> None:
    plan = seller_plan(owner)
    for user, plan_id in ((owner, "987654"), (outsider, str(plan["id"]))):
        result = run("forecast", plan_id, "--user", user.email)
        assert result.exit_code == 2
        assert f"error: plan {plan_id} not found" in result.output


def test_a_won_plan_has_no_forecast(owner: Any) -> None:
    plan = seller_plan(owner)
    Plan.objects.filter(id=plan["id"]).update(status="won")
    result = run("forecast", str(plan["id"]), "--user", owner.email)
    assert result.exit_code == 2
    assert f"error: plan {plan['id']} is won: a closed plan has no forecast" in result.output


def test_a_plan_with_no_steps_has_no_forecast_and_says_why(owner: Any) -> None:
    plan = seller_plan(owner)
    Milestone.objects.filter(plan_id=plan["id"]).delete()
    result = run("forecast", str(plan["id"]), "--user", owner.email)
    assert result.exit_code == 2
    assert f"error: plan {plan['id']} has no steps yet: add them to get a forecast" in result.output


def test_a_bad_id_or_sample_count_is_a_usage_error(owner: Any) -> None:
    assert run("forecast", "abc", "--user", owner.email).exit_code == 2
    bad = run("forecast", "1", "--samples", "5", "--user", owner.email)
    assert bad.exit_code == 2
    assert "--samples" in bad.output

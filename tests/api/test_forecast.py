"""GET /api/v1/plans/{id}/forecast and /next-actions: the seller's forecast of one plan."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from mutualplan.core.actions import EFFECTS
from mutualplan.plans.models import Milestone, Plan
from tests.conftest import Api

FORECAST_KEYS = {
    "plan_id",
    "today",
    "target_date",
    "quarter_end",
    "samples",
    "p_by_target",
    "p_by_quarter_end",
    "p50",
    "p80",
    "p90",
    "fan",
    "steps",
    "actions",
}


def test_the_forecast_answers_its_figures_steps_and_actions(
    owner_api: Api, plan: dict[str, Any]
) -> None:
    response = owner_api.get(f"/plans/{plan['id']}/forecast")
    assert response.status_code == 200, response.json_body
    body = response.json_body
    assert set(body) == FORECAST_KEYS
    assert body["plan_id"] == plan["id"]
    assert body["target_date"] == plan["target_date"]
    assert body["samples"] == 2000
    assert 0 <= body["p_by_target"] <= 1 and 0 <= body["p_by_quarter_end"] <= 1
    assert body["p50"] <= body["p80"] <= body["p90"]
    assert [p["quantile"] for p in body["fan"]] == [0.1, 0.25, 0.5, 0.75, 0.8, 0.9]
    dates = [p["date"] for p in body["fan"]]
    assert dates == sorted(dates)
    # The standard template's eight rows are all still to do, most critical first.
    assert len(body["steps"]) == 8
    step = body["steps"][0]
    assert set(step) == {
        "milestone_id",
        "title",
        "step_type",
        "owner_side",
        "started",
        "days_spent",
        "criticality",
        "beyond_history",
        "rests_on",
    }
    assert {m["id"] for m in plan["milestones"]} == {s["milestone_id"] for s in body["steps"]}
    criticality = [s["criticality"] for s in body["steps"]]
    assert criticality == sorted(criticality, reverse=True)
    # A fresh workspace has no history: every step rests on its planned turnaround.
    assert step["rests_on"] == {
        "kind": "plan",
        "observations": 0,
        "text": "the planned turnaround (no history yet)",
    }
    for action in body["actions"]:
        assert set(action) == {"code", "title", "explanation", "milestone_id", "effect_pp"}
        assert action["code"] in EFFECTS
        assert action["explanation"].startswith("Estimated ")
    # Nothing confirmed by the champion yet.
    assert "get_confirmation" in {a["code"] for a in body["actions"]}


def test_the_forecast_is_reproducible(owner_api: Api, plan: dict[str, Any]) -> None:
    first = owner_api.get(f"/plans/{plan['id']}/forecast").json_body
    assert owner_api.get(f"/plans/{plan['id']}/forecast").json_body == first


def test_the_number_of_samples_can_be_asked_for_within_bounds(
    owner_api: Api, plan: dict[str, Any]
) -> None:
    assert owner_api.get(f"/plans/{plan['id']}/forecast?samples=100").json_body["samples"] == 100


@pytest.mark.parametrize("samples", ["99", "20001", "many", "-5"])
def test_a_bad_number_of_samples_is_refused_with_a_clear_error(
    owner_api: Api, plan: dict[str, Any], samples: str
) -> None:
    response = owner_api.get(f"/plans/{plan['id']}/forecast?samples={samples}")
    assert response.status_code == 400
    assert response.json_body["errors"][0]["field"] == "samples"
    assert response.json_body["detail"].startswith("samples: ")


def test_another_workspaces_plan_or_an_unknown_id_is_not_found(
    outsider_api: Api, owner_api: Api, plan: dict[str, Any]
) -> None:
    for path in (f"/plans/{plan['id']}/forecast", f"/plans/{plan['id']}/next-actions"):
        response = outsider_api.get(path)
        assert response.status_code == 404
        assert response.json_body == {"detail": f"plan {plan['id']} not found", "errors": []}
    assert owner_api.get("/plans/987654/forecast").status_code == 404


def refused_forecast(owner_api: Api, plan_id: int) -> list[dict[str, str]]:
    """The errors both the forecast and the next actions answer (the same 400)."""
    answers = [owner_api.get(f"/plans/{plan_id}/{what}") for what in ("forecast", "next-actions")]
    assert [a.status_code for a in answers] == [400, 400]
    assert answers[0].json_body == answers[1].json_body
    return list(answers[0].json_body["errors"])


def test_a_won_plan_has_no_forecast(owner_api: Api, plan: dict[str, Any]) -> None:
    Plan.objects.filter(id=plan["id"]).update(status="won")
    message = f"plan {plan['id']} is won: a closed plan has no forecast"
    assert refused_forecast(owner_api, plan["id"]) == [{"field": "plan_id", "message": message}]


def test_a_plan_with_no_steps_has_no_forecast_and_says_why(
    owner_api: Api, plan: dict[str, Any]
) -> None:
    Milestone.objects.filter(plan_id=plan["id"]).delete()
    message = f"plan {plan['id']} has no steps yet: add them to get a forecast"
    assert refused_forecast(owner_api, plan["id"]) == [{"field": "plan_id", "message": message}]


def test_a_plan_whose_steps_wait_for_each_other_in_a_cycle_says_so(
    owner_api: Api, plan: dict[str, Any]
) -> None:
    # The services refuse a cycle; one written straight into the database is still told.
    first, second = (r["id"] for r in plan["milestones"][:2])
    Milestone.depends_on.through.objects.create(from_milestone_id=first, to_milestone_id=second)
    message = (
        f"plan {plan['id']}'s steps wait for each other in a cycle: no forecast until it is broken"
    )
    assert refused_forecast(owner_api, plan["id"]) == [{"field": "plan_id", "message": message}]


def test_the_next_actions_are_the_forecasts_actions(owner_api: Api, plan: dict[str, Any]) -> None:
    actions = owner_api.get(f"/plans/{plan['id']}/next-actions").json_body["actions"]
    assert actions == owner_api.get(f"/plans/{plan['id']}/forecast").json_body["actions"]
    effects = [a["effect_pp"] for a in actions]
    assert effects == sorted(effects, reverse=True)


def test_a_plan_past_its_target_is_told_to_move_the_target_to_its_p80_date(
    owner_api: Api,
) -> None:
    from tests.conftest import new_plan

    late = new_plan(owner_api, target_offset=5)
    body = owner_api.get(f"/plans/{late['id']}/forecast").json_body
    (move,) = [a for a in body["actions"] if a["code"] == "move_target"]
    p80 = dt.date.fromisoformat(body["p80"])
    assert move["title"] == f"Move the target to {p80:%b} {p80.day}, {p80.year}"
    assert move["effect_pp"] > 0
    assert dt.date.fromisoformat(body["p80"]) > dt.date.fromisoformat(late["target_date"])


def test_the_buyer_api_holds_no_forecast(
    owner_api: Api, anonymous_api: Api, plan: dict[str, Any], share_token: str
) -> None:
    assert owner_api.get(f"/plans/{plan['id']}/forecast").status_code == 200
    shared = anonymous_api.get(f"/shared/{share_token}")
    assert shared.status_code == 200
    for word in (b"forecast", b"p_by_target", b"criticality", b"effect_pp", b"Estimated "):
        assert word not in shared.content
    assert anonymous_api.get(f"/plans/{plan['id']}/forecast").status_code == 401

"""Bad input: a specific 4xx in one JSON shape, and nothing changed."""

from __future__ import annotations

from typing import Any

import pytest

from mutualplan.plans.models import Activity, Deal, Milestone, Plan
from tests.conftest import NEW_PLAN, Api, day


def assert_error(response: Any, status: int, field: str) -> None:
    assert response.status_code == status, response.content
    body = response.json_body
    assert set(body) >= {"detail", "errors"}
    assert body["errors"], body
    assert body["errors"][0]["field"] == field, body
    assert body["errors"][0]["message"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"target_date": "2026-02-30"}, "target_date"),
        ({"target_date": "next friday"}, "target_date"),
        ({"deal": {**NEW_PLAN["deal"], "account_type": "galactic"}}, "deal.account_type"),
        ({"deal": {**NEW_PLAN["deal"], "stage": "dreaming"}}, "deal.stage"),
        ({"deal": {**NEW_PLAN["deal"], "amount": -5}}, "deal.amount"),
        ({"deal": {**NEW_PLAN["deal"], "amount": "lots"}}, "deal.amount"),
        ({"deal": {**NEW_PLAN["deal"], "currency": "DOLLARS"}}, "deal.currency"),
        ({"deal": {"account_type": "smb", "stage": "demo"}}, "deal.account_name"),
        ({"deal": {**NEW_PLAN["deal"], "account_name": "   "}}, "deal.account_name"),
        ({"deal": {**NEW_PLAN["deal"], "account_name": "a\x00b"}}, "deal.account_name"),
        ({"deal": {**NEW_PLAN["deal"], "account_name": "x" * 201}}, "deal.account_name"),
        ({"template": "nope"}, "template"),
        ({"country": "XX", "business_days": True}, "country"),
        ({"schedule": "vibes"}, "schedule"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_creating_a_plan_with_bad_input_names_the_field_and_creates_nothing(
    owner_api: Api, change: dict[str, Any], field: str
) -> None:
    response = owner_api.post("/plans", {**NEW_PLAN, "target_date": day(90), **change})
    assert_error(response, 400, field)
    assert Deal.objects.count() == Plan.objects.count() == Milestone.objects.count() == 0


def test_a_body_that_is_not_json_is_a_400(owner_api: Api) -> None:
    response = owner_api.post("/plans", raw="{not json")
    assert response.status_code == 400
    assert response.json_body["errors"]
    assert Plan.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"version": 1, "owner_side": "vendor"}, "owner_side"),
        ({"version": 1, "status": "overdue"}, "status"),
        ({"version": 1, "step_type": "golf"}, "step_type"),
        ({"version": 1, "due_date": "31/12/2026"}, "due_date"),
        ({"version": 1, "title": ""}, "title"),
        ({"version": 1, "turnaround_days": -3}, "turnaround_days"),
        ({"version": 1, "depends_on": [999999]}, "depends_on"),
        ({"version": 1, "owner_person_id": 424242}, "owner_person_id"),
        ({"version": 1, "status": None}, "status"),
        ({"version": 1, "title": None}, "title"),
        ({"version": 1, "depends_on": None}, "depends_on"),
        ({"status": "done"}, "version"),
        ({"version": "one", "status": "done"}, "version"),
    ],
)
def test_editing_a_row_with_bad_input_changes_nothing(
    owner_api: Api, plan: dict[str, Any], body: dict[str, Any], field: str
) -> None:
    first = plan["milestones"][0]
    before = Activity.objects.count()
    response = owner_api.patch(f"/plans/{plan['id']}/milestones/{first['id']}", body)
    assert_error(response, 400, field)
    stored = Milestone.objects.get(id=first["id"])
    assert (stored.version, stored.status, stored.title) == (1, "not_started", first["title"])
    assert Activity.objects.count() == before


def test_unknown_ids_are_404_even_absurd_ones(owner_api: Api, plan: dict[str, Any]) -> None:
    for path in (
        f"/plans/{10**30}",
        "/plans/0",
        f"/plans/{plan['id']}/milestones/{2**63}",
        f"/plans/{plan['id'] + 1000}",
    ):
        response = (
            owner_api.get(path)
            if "milestones" not in path
            else owner_api.patch(path, {"version": 1, "notes": "x"})
        )
        assert response.status_code == 404, path
        assert set(response.json_body) == {"detail", "errors"}


def test_an_unknown_endpoint_and_a_wrong_method_answer_in_the_error_shape(
    owner_api: Api,
) -> None:
    missing = owner_api.get("/no-such-thing")
    assert missing.status_code == 404 and missing.json_body["detail"] == "no such API endpoint"
    wrong = owner_api.call("PUT", "/plans")
    assert wrong.status_code == 405 and wrong.json_body["errors"] == []


def test_no_token_or_a_wrong_token_is_401(anonymous_api: Api, owner_api: Api) -> None:
    assert anonymous_api.get("/plans").status_code == 401
    wrong = Api(owner_api.client, token="mp_wrong")
    response = wrong.get("/plans")
    assert response.status_code == 401
    assert response.json_body["errors"][0]["field"] == "Authorization"


def test_a_revoked_api_token_is_refused(owner_api: Api) -> None:
    from django.utils import timezone

    from mutualplan.workspaces.models import ApiToken

    ApiToken.objects.update(revoked_at=timezone.now())
    assert owner_api.get("/plans").status_code == 401


def test_html_in_text_is_stored_and_returned_as_plain_text(
    owner_api: Api, plan: dict[str, Any]
) -> None:
    script = "<script>alert('x')</script>"
    first = plan["milestones"][0]
    response = owner_api.patch(
        f"/plans/{plan['id']}/milestones/{first['id']}", {"version": 1, "notes": script}
    )
    assert response.json_body["notes"] == script
    assert response["Content-Type"].startswith("application/json")

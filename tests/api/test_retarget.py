"""Moving the target date: anchored rows move with it, each move a slip."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mutualplan.plans.models import Milestone, Plan, Slip
from tests.conftest import BUYER, Api, day, new_plan


def retarget(api: Api, plan: dict[str, Any], target: str, **extra: Any) -> Any:
    return api.post(
        f"/plans/{plan['id']}/retarget",
        {"target_date": target, "version": plan["version"], **extra},
    )


def test_retargeting_by_14_days_moves_every_anchored_row_and_records_each_slip(
    owner_api: Api, plan: dict[str, Any]
) -> None:
    old_target = dt.date.fromisoformat(plan["target_date"])
    new_target = old_target + dt.timedelta(days=14)
    response = retarget(owner_api, plan, new_target.isoformat())
    assert response.status_code == 200, response.json_body
    moved = response.json_body
    assert moved["target_date"] == new_target.isoformat()
    assert moved["version"] == plan["version"] + 1
    for before, after in zip(plan["milestones"], moved["milestones"], strict=True):
        shift = dt.date.fromisoformat(after["due_date"]) - dt.date.fromisoformat(before["due_date"])
        assert shift.days == 14
        assert after["version"] == before["version"] + 1
    slips = Slip.objects.filter(plan_id=plan["id"])
    assert slips.count() == 9
    assert slips.filter(milestone__isnull=True).get().days == 14
    assert {s.days for s in slips} == {14}


def test_retargeting_a_business_day_plan_keeps_every_row_on_a_working_day(
    owner_api: Api,
) -> None:
    plan = new_plan(owner_api, target_date="2026-12-18", country="US", business_days=True)
    response = retarget(owner_api, plan, "2027-01-01")
    rows = response.json_body["milestones"]
    assert "2026-12-25" not in {m["due_date"] for m in rows}
    assert all(dt.date.fromisoformat(m["due_date"]).weekday() < 5 for m in rows)
    # New Year's Day is a US holiday: the kickoff rolls back to the last working day.
    assert rows[-1]["due_date"] == "2026-12-31"


def test_rows_that_are_done_or_pinned_stay_where_they_are(
    owner_api: Api, plan: dict[str, Any]
) -> None:
    first, second = plan["milestones"][0], plan["milestones"][1]
    owner_api.patch(
        f"/plans/{plan['id']}/milestones/{first['id']}", {"version": 1, "status": "done"}
    )
    owner_api.patch(
        f"/plans/{plan['id']}/milestones/{second['id']}", {"version": 1, "anchored": False}
    )
    moved = retarget(owner_api, plan, day(120)).json_body["milestones"]
    assert moved[0]["due_date"] == first["due_date"]
    assert moved[1]["due_date"] == second["due_date"] and moved[1]["anchored"] is False
    assert moved[2]["due_date"] != plan["milestones"][2]["due_date"]


def test_setting_the_first_target_turns_a_draft_into_a_dated_plan(owner_api: Api) -> None:
    draft = new_plan(owner_api, target_offset=None)
    response = retarget(owner_api, draft, "2027-05-31")
    dated = response.json_body
    assert dated["status"] == "active"
    assert dated["milestones"][-1]["due_date"] == "2027-05-31"
    assert dated["milestones"][0]["due_date"] == "2027-03-29"
    assert not Slip.objects.filter(plan_id=draft["id"]).exists()


def test_after_confirmation_retargeting_needs_a_reason_and_keeps_the_baseline(
    owner_api: Api, plan: dict[str, Any], share_token: str
) -> None:
    owner_api.post(f"/shared/{share_token}/confirm", {"actor": BUYER})
    refused = retarget(owner_api, plan, day(110))
    assert refused.status_code == 400
    assert refused.json_body["errors"][0]["field"] == "reason_category"
    assert Plan.objects.get(id=plan["id"]).target_date.isoformat() == plan["target_date"]
    moved = retarget(
        owner_api,
        plan,
        day(110),
        reason_category="budget_or_procurement",
        reason_text="PO needs a second approver",
    )
    assert moved.status_code == 200
    body = moved.json_body
    assert body["baseline_target_date"] == plan["target_date"]
    assert body["milestones"][0]["baseline_due_date"] == plan["milestones"][0]["due_date"]
    assert all(not m["confirmed"] for m in body["milestones"])
    reasons = set(Slip.objects.filter(plan_id=plan["id"]).values_list("reason_category", flat=True))
    assert reasons == {"budget_or_procurement"}


def test_retargeting_with_a_stale_version_changes_nothing(
    owner_api: Api, plan: dict[str, Any]
) -> None:
    assert retarget(owner_api, plan, day(100)).status_code == 200
    stale = retarget(owner_api, plan, day(130))
    assert stale.status_code == 409
    assert stale.json_body["current"]["target_date"] == day(100)
    assert Plan.objects.get(id=plan["id"]).target_date.isoformat() == day(100)
    assert Milestone.objects.filter(plan_id=plan["id"], due_date=day(130)).count() == 0


def test_a_reason_outside_the_categories_is_refused(owner_api: Api, plan: dict[str, Any]) -> None:
    response = retarget(owner_api, plan, day(100), reason_category="weather")
    assert response.status_code == 400
    assert response.json_body["errors"][0]["field"] == "reason_category"

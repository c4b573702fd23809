"""Rows: add, edit, remove, reorder; slips, baseline and confirmation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mutualplan.plans.models import Activity, Milestone, Slip
from tests.conftest import BUYER, Api, day, new_plan


def row(plan: dict[str, Any], index: int) -> dict[str, Any]:
    return plan["milestones"][index]  # type: ignore[no-any-return]


def test_a_seller_adds_a_row_at_the_end_anchored_to_the_target(
    owner_api: Api, plan: dict[str, Any]
) -> None:
    response = owner_api.post(
        f"/plans/{plan['id']}/milestones",
        {
            "title": "Executive sponsor sign-off",
            "owner_side": "buyer",
            "owner_team": "Executive",
            "step_type": "exec_signoff",
            "due_date": day(80),
            "private_notes": "CFO is sceptical",
        },
    )
    assert response.status_code == 201, response.json_body
    added = response.json_body
    assert added["position"] == 8 and added["high_risk"] is True
    assert added["anchored"] is True and added["added_by_side"] == "seller"
    assert added["private_notes"] == "CFO is sceptical"
    stored = Milestone.objects.get(id=added["id"])
    assert stored.anchor_offset == 10 and stored.added_by_name == "Olivia Owner"


def test_a_row_inserted_at_a_position_shifts_the_rows_after_it(
    owner_api: Api, plan: dict[str, Any]
) -> None:
    owner_api.post(f"/plans/{plan['id']}/milestones", {"title": "Pilot", "position": 1})
    titles = [m["title"] for m in owner_api.get(f"/plans/{plan['id']}").json_body["milestones"]]
    assert titles[:3] == [
        "Align on business case and ROI model",
        "Pilot",
        "Complete security review",
    ]


def test_editing_a_row_bumps_its_version_and_records_who_did_it(
    owner_api: Api, plan: dict[str, Any]
) -> None:
    first = row(plan, 0)
    response = owner_api.patch(
        f"/plans/{plan['id']}/milestones/{first['id']}",
        {"version": first["version"], "status": "in_progress", "notes": "ROI draft shared"},
    )
    assert response.status_code == 200, response.json_body
    edited = response.json_body
    assert edited["version"] == first["version"] + 1
    assert edited["status"] == "in_progress" and edited["notes"] == "ROI draft shared"
    assert edited["status_updated_by"] == "Olivia Owner"
    activity = Activity.objects.filter(milestone_id=first["id"], verb="milestone_updated").get()
    assert activity.actor_name == "Olivia Owner"
    assert "status: In progress" in activity.summary


def test_marking_a_row_done_records_its_completion_date(
    owner_api: Api, plan: dict[str, Any]
) -> None:
    first = row(plan, 0)
    done = owner_api.patch(
        f"/plans/{plan['id']}/milestones/{first['id']}", {"version": 1, "status": "done"}
    ).json_body
    assert done["completed_at"] == dt.date.today().isoformat()
    reopened = owner_api.patch(
        f"/plans/{plan['id']}/milestones/{first['id']}", {"version": 2, "status": "in_progress"}
    ).json_body
    assert reopened["completed_at"] is None


def test_activity_lines_word_the_change_and_leave_out_the_completion_date(
    owner_api: Api, plan: dict[str, Any]
) -> None:
    first = row(plan, 0)
    path = f"/plans/{plan['id']}/milestones/{first['id']}"
    owner_api.patch(path, {"version": 1, "status": "done"})
    owner_api.patch(path, {"version": 2, "status": "in_progress", "owner_side": "seller"})
    owner_api.patch(path, {"version": 3, "due_date": "2027-03-03"})
    lines = list(
        Activity.objects.filter(milestone_id=first["id"], verb="milestone_updated")
        .order_by("id")
        .values_list("summary", flat=True)
    )
    title = first["title"]
    assert lines == [
        f"updated '{title}': status: Done",
        f"updated '{title}': owner side: Seller, status: In progress",
        f"updated '{title}': due date: Mar 3, 2027",
    ]
    events = owner_api.get(f"/plans/{plan['id']}/activity").json_body
    assert not any("completed at" in str(event) for event in events)


def test_moving_a_date_while_building_is_a_free_edit_still_recorded(
    owner_api: Api, plan: dict[str, Any]
) -> None:
    first = row(plan, 0)
    response = owner_api.patch(
        f"/plans/{plan['id']}/milestones/{first['id']}", {"version": 1, "due_date": day(40)}
    )
    assert response.status_code == 200
    slip = Slip.objects.get(milestone_id=first["id"])
    assert slip.during_build is True and slip.reason_category == ""
    assert slip.to_date.isoformat() == day(40)
    assert Milestone.objects.get(id=first["id"]).anchor_offset == 50


def test_after_confirmation_a_date_move_needs_a_reason(
    owner_api: Api, plan: dict[str, Any], share_token: str
) -> None:
    assert owner_api.post(f"/shared/{share_token}/confirm", {"actor": BUYER}).status_code == 200
    first = owner_api.get(f"/plans/{plan['id']}").json_body["milestones"][0]
    assert first["confirmed"] is True and first["baseline_due_date"] == first["due_date"]
    refused = owner_api.patch(
        f"/plans/{plan['id']}/milestones/{first['id']}",
        {"version": first["version"], "due_date": day(45)},
    )
    assert refused.status_code == 400
    assert refused.json_body["errors"][0]["field"] == "reason_category"
    assert Milestone.objects.get(id=first["id"]).due_date.isoformat() == first["due_date"]
    assert not Slip.objects.filter(plan_id=plan["id"]).exists()
    moved = owner_api.patch(
        f"/plans/{plan['id']}/milestones/{first['id']}",
        {
            "version": first["version"],
            "due_date": day(45),
            "reason_category": "stakeholder_not_engaged",
            "reason_text": "CFO on leave",
        },
    )
    assert moved.status_code == 200
    assert moved.json_body["baseline_due_date"] == first["due_date"]
    assert moved.json_body["confirmed"] is False
    slip = Slip.objects.get(milestone_id=first["id"])
    assert (slip.reason_category, slip.reason_text, slip.during_build) == (
        "stakeholder_not_engaged",
        "CFO on leave",
        False,
    )
    assert slip.days == 18


def test_a_change_to_the_owner_of_a_confirmed_row_unconfirms_it(
    owner_api: Api, plan: dict[str, Any], share_token: str
) -> None:
    owner_api.post(f"/shared/{share_token}/confirm", {"actor": BUYER})
    target = row(plan, 1)
    edited = owner_api.patch(
        f"/plans/{plan['id']}/milestones/{target['id']}",
        {"version": target["version"], "owner_team": "Security"},
    )
    assert edited.json_body["confirmed"] is False
    notes_only = row(plan, 2)
    kept = owner_api.patch(
        f"/plans/{plan['id']}/milestones/{notes_only['id']}",
        {"version": notes_only["version"], "notes": "sent"},
    )
    assert kept.json_body["confirmed"] is True


def test_dependencies_that_would_form_a_cycle_are_refused(
    owner_api: Api, plan: dict[str, Any]
) -> None:
    first, second = row(plan, 0), row(plan, 1)  # second depends on first in the template
    assert second["depends_on"] == [first["id"]]
    response = owner_api.patch(
        f"/plans/{plan['id']}/milestones/{first['id']}",
        {"version": 1, "depends_on": [second["id"]]},
    )
    assert response.status_code == 400
    assert "cycle" in response.json_body["errors"][0]["message"]
    assert list(Milestone.objects.get(id=first["id"]).depends_on.all()) == []


def test_the_risk_checklist_is_answered_question_by_question(
    owner_api: Api, plan: dict[str, Any]
) -> None:
    review = row(plan, 1)
    assert review["high_risk"] and set(review["risk_checklist"].values()) == {"unknown"}
    response = owner_api.patch(
        f"/plans/{plan['id']}/milestones/{review['id']}",
        {"version": 1, "risk_checklist": {"owner_named": "yes", "champion_ran_before": "no"}},
    )
    checklist = response.json_body["risk_checklist"]
    assert checklist["owner_named"] == "yes" and checklist["champion_ran_before"] == "no"
    assert checklist["owner_briefed"] == "unknown"
    bad = owner_api.patch(
        f"/plans/{plan['id']}/milestones/{review['id']}",
        {"version": 2, "risk_checklist": {"owner_named": "maybe"}},
    )
    assert bad.status_code == 400 and bad.json_body["errors"][0]["field"].startswith(
        "risk_checklist"
    )


def test_removing_a_row_deletes_it_and_logs_it(owner_api: Api, plan: dict[str, Any]) -> None:
    last = row(plan, 7)
    assert owner_api.delete(f"/plans/{plan['id']}/milestones/{last['id']}").status_code == 204
    assert not Milestone.objects.filter(id=last["id"]).exists()
    assert Activity.objects.filter(plan_id=plan["id"], verb="milestone_removed").exists()
    again = owner_api.delete(f"/plans/{plan['id']}/milestones/{last['id']}")
    assert again.status_code == 404


def test_reordering_takes_every_row_exactly_once(owner_api: Api, plan: dict[str, Any]) -> None:
    ids = [m["id"] for m in plan["milestones"]]
    new_order = list(reversed(ids))
    response = owner_api.post(f"/plans/{plan['id']}/milestones/reorder", {"order": new_order})
    assert [m["id"] for m in response.json_body] == new_order
    assert [m["position"] for m in response.json_body] == list(range(8))
    partial = owner_api.post(f"/plans/{plan['id']}/milestones/reorder", {"order": ids[:3]})
    assert partial.status_code == 400 and "leaves out" in partial.json_body["detail"]
    twice = owner_api.post(f"/plans/{plan['id']}/milestones/reorder", {"order": ids + ids[:1]})
    assert twice.status_code == 400
    still = [m["id"] for m in owner_api.get(f"/plans/{plan['id']}").json_body["milestones"]]
    assert still == new_order


def test_a_manual_date_in_a_business_day_plan_must_be_a_working_day(owner_api: Api) -> None:
    plan = new_plan(owner_api, target_date="2027-01-29", country="US", business_days=True)
    first = plan["milestones"][0]
    response = owner_api.patch(
        f"/plans/{plan['id']}/milestones/{first['id']}", {"version": 1, "due_date": "2026-12-25"}
    )
    assert response.status_code == 400
    assert "public holiday in US" in response.json_body["errors"][0]["message"]


def test_an_edit_answers_with_the_rows_dependencies_as_they_now_stand(
    owner_api: Api, plan: dict[str, Any]
) -> None:
    first, second, third = row(plan, 0), row(plan, 1), row(plan, 2)
    notes_only = owner_api.patch(
        f"/plans/{plan['id']}/milestones/{second['id']}", {"version": 1, "notes": "x"}
    ).json_body
    assert notes_only["depends_on"] == [first["id"]]
    changed = owner_api.patch(
        f"/plans/{plan['id']}/milestones/{second['id']}",
        {"version": 2, "depends_on": [first["id"], third["id"]]},
    )
    assert changed.json_body["depends_on"] == sorted([first["id"], third["id"]])
    read = owner_api.get(f"/plans/{plan['id']}").json_body["milestones"][1]
    assert read["depends_on"] == sorted([first["id"], third["id"]])

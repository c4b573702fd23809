"""Creating, reading, listing and editing plans through the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import holidays
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mutualplan.plans.models import Activity, Deal, Milestone, Plan
from tests.conftest import NEW_PLAN, Api, day, new_plan


def test_a_plan_from_standard_has_the_eight_rows_dated_backwards_from_the_target(
    owner_api: Api,
) -> None:
    plan = new_plan(owner_api, target_offset=90)
    target = dt.date.fromisoformat(plan["target_date"])
    rows = plan["milestones"]
    assert [m["title"] for m in rows][:2] == [
        "Align on business case and ROI model",
        "Complete security review",
    ]
    assert len(rows) == 8
    assert [m["position"] for m in rows] == list(range(8))
    assert all(dt.date.fromisoformat(m["due_date"]) <= target for m in rows)
    assert rows[-1]["due_date"] == plan["target_date"]
    assert plan["status"] == "active"
    assert plan["deal"]["account_name"] == "Northwind Health"
    assert plan["target_reason"] == NEW_PLAN["target_reason"]
    assert Milestone.objects.filter(plan_id=plan["id"]).count() == 8
    assert Activity.objects.filter(plan_id=plan["id"], verb="plan_created").exists()


def test_business_day_plans_never_fall_due_on_a_weekend_or_public_holiday(
    owner_api: Api,
) -> None:
    # Target on Monday 4 January 2027 puts rows across Christmas and New Year.
    plan = new_plan(
        owner_api,
        target_date="2027-01-04",
        country="US",
        business_days=True,
        schedule="turnarounds",
    )
    us = holidays.country_holidays("US", years=[2026, 2027])
    for m in plan["milestones"]:
        due = dt.date.fromisoformat(m["due_date"])
        assert due.weekday() < 5, m
        assert due not in us, m
        assert due <= dt.date(2027, 1, 4)


def test_a_plan_without_a_target_is_a_draft_with_undated_rows(owner_api: Api) -> None:
    plan = new_plan(owner_api, target_offset=None)
    assert plan["status"] == "draft"
    assert plan["target_date"] is None
    assert all(m["due_date"] is None for m in plan["milestones"])


def test_the_seller_sees_private_notes_and_feasibility_warnings(owner_api: Api) -> None:
    plan = new_plan(owner_api, target_offset=30)
    assert "private_notes" in plan["milestones"][0]
    codes = {w["code"] for w in plan["warnings"]}
    assert "due_in_past" in codes  # the business case is due 63 days before a 30-day target


def test_a_teammate_sees_the_plan_and_an_outsider_does_not(
    owner_api: Api, teammate_api: Api, outsider_api: Api, plan: dict[str, Any]
) -> None:
    assert teammate_api.get(f"/plans/{plan['id']}").json_body["id"] == plan["id"]
    response = outsider_api.get(f"/plans/{plan['id']}")
    assert response.status_code == 404
    assert response.json_body["detail"] == f"plan {plan['id']} not found"
    assert outsider_api.get("/plans").json_body["count"] == 0


def test_an_outsider_cannot_change_anything_of_another_workspace(
    outsider_api: Api, plan: dict[str, Any]
) -> None:
    pid, mid = plan["id"], plan["milestones"][0]["id"]
    attempts = [
        outsider_api.patch(f"/plans/{pid}", {"version": 1, "target_reason": "x"}),
        outsider_api.post(f"/plans/{pid}/retarget", {"version": 1, "target_date": day(99)}),
        outsider_api.post(f"/plans/{pid}/milestones", {"title": "x"}),
        outsider_api.patch(f"/plans/{pid}/milestones/{mid}", {"version": 1, "title": "x"}),
        outsider_api.delete(f"/plans/{pid}/milestones/{mid}"),
        outsider_api.post(f"/plans/{pid}/share-links", {}),
        outsider_api.get(f"/plans/{pid}/slips"),
        outsider_api.get(f"/plans/{pid}/activity"),
    ]
    assert [r.status_code for r in attempts] == [404] * len(attempts)
    assert Plan.objects.get(id=pid).target_reason == NEW_PLAN["target_reason"]
    assert Milestone.objects.filter(plan_id=pid).count() == 8


def test_the_list_is_the_workspaces_plans_filtered_and_paginated(
    owner_api: Api, teammate_api: Api
) -> None:
    for i in range(3):
        new_plan(owner_api, deal={**NEW_PLAN["deal"], "account_name": f"Owner {i}"})
    new_plan(
        teammate_api, deal={**NEW_PLAN["deal"], "account_name": "Theo's", "account_type": "smb"}
    )
    new_plan(owner_api, target_offset=None)
    page = owner_api.get("/plans?page_size=2").json_body
    assert page["count"] == 5 and page["pages"] == 3 and len(page["items"]) == 2
    assert owner_api.get("/plans?status=draft").json_body["count"] == 1
    assert (
        owner_api.get("/plans?account_type=smb").json_body["items"][0]["deal"]["account_name"]
        == "Theo's"
    )
    mine = owner_api.get("/plans?owner=olivia@acme.example").json_body
    assert mine["count"] == 4
    item = mine["items"][0]
    assert item["rows_total"] == 8 and item["rows_done"] == 0


def test_the_list_issues_the_same_number_of_queries_for_few_and_many_plans(
    owner_api: Api,
) -> None:
    new_plan(owner_api)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert owner_api.get("/plans").status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for _ in range(12):
        new_plan(owner_api)
    assert count() == few


def test_reading_a_plan_costs_the_same_queries_for_8_and_80_rows(
    owner_api: Api, plan: dict[str, Any]
) -> None:
    pid = plan["id"]

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = owner_api.get(f"/plans/{pid}")
        assert response.status_code == 200
        return len(ctx.captured_queries), len(response.json_body["milestones"])

    queries_8, rows = count()
    assert rows == 8
    first = plan["milestones"][0]["id"]
    for i in range(72):
        owner_api.post(
            f"/plans/{pid}/milestones",
            {
                "title": f"Step {i}",
                "owner_side": "buyer",
                "due_date": day(30),
                "depends_on": [first],
            },
        )
    queries_80, rows = count()
    assert rows == 80
    assert queries_80 == queries_8


def test_editing_plan_fields_bumps_its_version_and_records_activity(
    owner_api: Api, plan: dict[str, Any]
) -> None:
    response = owner_api.patch(
        f"/plans/{plan['id']}",
        {
            "version": plan["version"],
            "target_reason": "Board deadline",
            "deal": {"stage": "negotiation", "amount": "150000.50"},
        },
    )
    assert response.status_code == 200, response.json_body
    assert response.json_body["version"] == plan["version"] + 1
    assert response.json_body["target_reason"] == "Board deadline"
    deal = Deal.objects.get(plan__id=plan["id"])
    assert deal.stage == "negotiation" and str(deal.amount) == "150000.50"
    assert Activity.objects.filter(plan_id=plan["id"], verb="plan_updated").count() == 1


def test_a_stale_plan_version_gets_409_with_the_current_plan(
    owner_api: Api, plan: dict[str, Any]
) -> None:
    owner_api.patch(f"/plans/{plan['id']}", {"version": 1, "target_reason": "First"})
    response = owner_api.patch(f"/plans/{plan['id']}", {"version": 1, "target_reason": "Second"})
    assert response.status_code == 409
    assert response.json_body["current"]["target_reason"] == "First"
    assert Plan.objects.get(id=plan["id"]).target_reason == "First"


def test_a_workspace_defines_its_own_template(owner_api: Api) -> None:
    response = owner_api.post(
        "/templates",
        {
            "key": "quick",
            "name": "Quick SMB",
            "rows": [
                {
                    "key": "demo",
                    "title": "Tailored demo",
                    "owner_side": "seller",
                    "offset_days": 14,
                    "turnaround_days": 3,
                },
                {
                    "key": "sign",
                    "title": "Sign order form",
                    "owner_side": "buyer",
                    "owner_team": "Finance",
                    "step_type": "contract_execution",
                    "offset_days": 0,
                    "depends_on": ["demo"],
                },
            ],
        },
    )
    assert response.status_code == 201, response.json_body
    keys = [t["key"] for t in owner_api.get("/templates").json_body]
    assert keys == ["standard", "quick"]
    plan = new_plan(owner_api, template="quick", target_date="2027-03-31")
    assert [(m["title"], m["due_date"]) for m in plan["milestones"]] == [
        ("Tailored demo", "2027-03-17"),
        ("Sign order form", "2027-03-31"),
    ]


def test_a_template_with_a_dependency_cycle_is_refused(owner_api: Api) -> None:
    response = owner_api.post(
        "/templates",
        {
            "key": "loop",
            "name": "Loop",
            "rows": [
                {"key": "a", "title": "A", "owner_side": "buyer", "depends_on": ["b"]},
                {"key": "b", "title": "B", "owner_side": "buyer", "depends_on": ["a"]},
            ],
        },
    )
    assert response.status_code == 400
    assert "cycle" in response.json_body["errors"][0]["message"]

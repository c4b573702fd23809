"""A plan imported from its JSON export through the API: an equal plan back, in the caller's
workspace, or nothing at all with every bad field named."""

from __future__ import annotations

import json
from typing import Any

from mutualplan.plans.models import Deal, Milestone, Plan, Stakeholder
from tests.api.conftest import csv_rows, download
from tests.conftest import Api, new_plan


def test_the_json_export_imports_back_into_an_equal_plan(
    owner_api: Api, rich_plan: dict[str, Any]
) -> None:
    exported = download(owner_api, f"/plans/{rich_plan['id']}/export?format=json")
    assert exported.status_code == 200
    document = json.loads(exported.content)
    assert document["format"] == "mutualplan.plan" and document["version"] == 1
    imported = owner_api.post("/plans/import", document)
    assert imported.status_code == 201, imported.json_body
    copy = imported.json_body
    assert copy["id"] != rich_plan["id"]
    assert Plan.objects.count() == 2 and Deal.objects.count() == 2

    # The two files are the same, field by field.
    again = json.loads(download(owner_api, f"/plans/{copy['id']}/export?format=json").content)
    assert again == document

    # And the two plans read the same, except ids, versions and the times of writing.
    def comparable(plan: dict[str, Any]) -> dict[str, Any]:
        ids = {m["id"]: m["position"] for m in plan["milestones"]}
        skip = {"id", "version", "added_at", "created_at", "updated_at"}
        rows = [
            {k: v for k, v in m.items() if k not in skip}
            | {
                "depends_on": sorted(ids[d] for d in m["depends_on"]),
                "owner_person": m["owner_person"] and m["owner_person"]["name"],
            }
            for m in plan["milestones"]
        ]
        top = {k: v for k, v in plan.items() if k not in skip | {"milestones", "warnings", "deal"}}
        deal = {k: v for k, v in plan["deal"].items() if k != "id"}
        return {"plan": top, "deal": deal, "rows": rows}

    assert comparable(copy) == comparable(rich_plan)
    people = Stakeholder.objects.filter(deal__plan__id=copy["id"]).order_by("id")
    assert [(p.name, p.email, p.team, p.role) for p in people] == [
        ("Dana Legal", "dana@buyer.example", "Legal", "legal"),
        ("Zoë Champion", "zoe@buyer.example", "", "champion"),
    ]
    original = Milestone.objects.filter(plan_id=rich_plan["id"]).order_by("position")
    copied = Milestone.objects.filter(plan_id=copy["id"]).order_by("position")
    fields = ["baseline_due_date", "anchor_offset", "confirmed_at", "private_notes"]
    assert [[getattr(m, f) for f in fields] for m in copied] == [
        [getattr(m, f) for f in fields] for m in original
    ]
    assert any(m.added_by_side == "buyer" for m in copied)


def test_a_draft_plan_without_dates_round_trips(owner_api: Api) -> None:
    draft = new_plan(owner_api, target_offset=None)
    assert draft["status"] == "draft"
    document = json.loads(download(owner_api, f"/plans/{draft['id']}/export?format=json").content)
    copy = owner_api.post("/plans/import", document).json_body
    assert copy["status"] == "draft" and copy["target_date"] is None
    assert [m["due_date"] for m in copy["milestones"]] == [None] * 8
    csv_text = download(owner_api, f"/plans/{draft['id']}/export?format=csv").content
    assert [r[4] for r in csv_rows(csv_text)[1:]] == [""] * 8
    md = download(owner_api, f"/plans/{draft['id']}/export?format=md").content.decode()
    assert "not set yet (a draft)" in md


def test_an_import_with_bad_fields_names_each_one_and_creates_nothing(
    owner_api: Api, plan: dict[str, Any]
) -> None:
    document = json.loads(download(owner_api, f"/plans/{plan['id']}/export?format=json").content)
    document["milestones"][1]["status"] = "finished"
    document["milestones"][2]["due_date"] = "2027-02-30"
    document["milestones"][3]["depends_on"] = ["m99"]
    document["milestones"][4]["owner_side"] = None
    document["deal"]["amount"] = "-5"
    before = (Plan.objects.count(), Deal.objects.count(), Milestone.objects.count())
    response = owner_api.post("/plans/import", document)
    assert response.status_code == 400
    assert response.json_body["errors"] == [
        {"field": "deal.amount", "message": "must be a number from 0 to 999,999,999,999.99"},
        {
            "field": "milestones[1].status",
            "message": "unknown value 'finished'; use one of "
            "not_started, in_progress, done, blocked",
        },
        {"field": "milestones[2].due_date", "message": "'2027-02-30' is not a date (YYYY-MM-DD)"},
        {"field": "milestones[4].owner_side", "message": "is required"},
        {"field": "milestones[3].depends_on", "message": "no milestone has the key 'm99'"},
    ]
    assert (Plan.objects.count(), Deal.objects.count(), Milestone.objects.count()) == before


def test_an_import_checks_the_workspaces_account_types_and_stages(
    owner_api: Api, plan: dict[str, Any]
) -> None:
    document = json.loads(download(owner_api, f"/plans/{plan['id']}/export?format=json").content)
    document["deal"]["account_type"] = "galactic"
    document["deal"]["stage"] = "dreaming"
    document["plan"]["country"] = "XX"
    response = owner_api.post("/plans/import", document)
    assert response.status_code == 400
    fields = [e["field"] for e in response.json_body["errors"]]
    assert fields == ["deal.account_type", "deal.stage", "plan.country"]
    assert Plan.objects.count() == 1


def test_an_import_refuses_what_is_not_a_mutualplan_export(owner_api: Api) -> None:
    for body, field in (
        ({"hello": 1}, "format"),
        ({"format": "mutualplan.plan", "version": 7}, "version"),
        ([1, 2], "body"),
    ):
        response = owner_api.post("/plans/import", body)
        assert response.status_code == 400, body
        assert response.json_body["errors"][0]["field"] == field
    broken = owner_api.post("/plans/import", raw="{not json")
    assert broken.status_code == 400
    assert Plan.objects.count() == 0


def test_a_dependency_cycle_in_the_file_is_refused(owner_api: Api, plan: dict[str, Any]) -> None:
    document = json.loads(download(owner_api, f"/plans/{plan['id']}/export?format=json").content)
    document["milestones"][0]["depends_on"] = ["m2"]
    document["milestones"][1]["depends_on"] = ["m1"]
    response = owner_api.post("/plans/import", document)
    assert response.status_code == 400
    assert response.json_body["errors"] == [
        {"field": "milestones", "message": "dependencies form a cycle: m1 -> m2 -> m1"}
    ]


def test_the_imported_deal_keeps_its_owner_when_they_are_in_the_workspace(
    owner_api: Api, teammate_api: Api, outsider_api: Api, plan: dict[str, Any]
) -> None:
    document = json.loads(download(owner_api, f"/plans/{plan['id']}/export?format=json").content)
    mine = teammate_api.post("/plans/import", document).json_body
    assert mine["deal"]["owner"] == "olivia@acme.example"
    theirs = outsider_api.post("/plans/import", document).json_body
    assert theirs["deal"]["owner"] == "oscar@globex.example"
    assert Plan.objects.get(id=theirs["id"]).workspace.slug == "globex"

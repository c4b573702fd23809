"""A plan imported from a spreadsheet through the API: a preview that saves nothing, the
column mapping (given, and saved per workspace), and an import of every row or nothing."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from mutualplan.plans.models import Deal, ImportMapping, Milestone, Plan
from tests.api.conftest import download
from tests.conftest import Api

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"
DEAL = {"account_name": "Acme Corp", "account_type": "enterprise", "stage": "evaluation"}


def body(name: str, **extra: Any) -> dict[str, Any]:
    content = base64.b64encode((FIXTURES / name).read_bytes()).decode()
    return {"format": name.rsplit(".", 1)[1], "content_base64": content, **extra}


def test_a_preview_says_how_each_column_and_row_reads_and_saves_nothing(owner_api: Api) -> None:
    answer = owner_api.post("/plans/import/sheet/preview", body("excel_bom.csv"))
    assert answer.status_code == 200, answer.json_body
    preview = answer.json_body
    assert preview["importable"] is True and preview["header_line"] == 3
    assert [(c["header"], c["field"], c["how"]) for c in preview["columns"]] == [
        ("Step", "title", "recognised"),
        ("Responsible", "owner", "recognised"),
        ("Target Date", "due_date", "recognised"),
        ("Status", "status", "recognised"),
        ("Comments", "notes", "recognised"),
    ]
    first = preview["rows"][0]
    assert first["line"] == 4 and first["errors"] == []
    assert first["milestone"] | {"notes": ""} == {
        "title": "Business case",
        "owner_side": "buyer",
        "owner_team": "Finance",
        "owner_person": None,
        "due_date": "2026-11-30",
        "status": "done",
        "step_type": "business_case",
        "high_risk": False,
        "notes": "",
    }
    assert Plan.objects.count() == 0 and ImportMapping.objects.count() == 0


def test_an_xlsx_imports_into_a_new_deal_and_plan(owner_api: Api) -> None:
    answer = owner_api.post(
        "/plans/import/sheet",
        body("excel.xlsx", deal=DEAL, target_date="2027-03-31", target_reason="Go-live Q2"),
    )
    assert answer.status_code == 201, answer.json_body
    plan = answer.json_body
    assert plan["status"] == "active" and plan["target_date"] == "2027-03-31"
    assert plan["deal"]["account_name"] == "Acme Corp"
    assert [(m["title"], m["owner_side"], m["owner_team"], m["due_date"], m["status"])
            for m in plan["milestones"]] == [
        ("Business case", "buyer", "Finance", "2026-12-10", "done"),
        ("Security questionnaire", "buyer", "IT", "2027-01-14", "in_progress"),
        ("Legal redline MSA", "buyer", "Legal", "2027-01-28", "not_started"),
        ("Executive sign-off", "buyer", "Executive", "2027-03-03", "not_started"),
        ("Contract signature", "joint", "", "2027-03-03", "not_started"),
        ("Kickoff", "seller", "Solutions", "2027-03-15", "not_started"),
    ]  # fmt: skip
    assert [m["high_risk"] for m in plan["milestones"]] == [False, True, True, True, False, False]


def test_a_file_with_two_bad_rows_imports_nothing_and_names_both_lines(owner_api: Api) -> None:
    answer = owner_api.post("/plans/import/sheet", body("two_bad_rows.csv", deal=DEAL))
    assert answer.status_code == 400
    assert [(e["field"], e["message"].split(" (")[0]) for e in answer.json_body["errors"]] == [
        ("line 3", "due date '2027-02-30' is not a date"),
        ("line 4", "unknown status 'Maybe later'; use Done, In progress, Not started or Blocked"),
    ]
    assert Plan.objects.count() == 0 and Deal.objects.count() == 0
    assert Milestone.objects.count() == 0


def test_a_csv_with_unknown_headers_imports_after_a_mapping_that_can_be_saved(
    owner_api: Api,
) -> None:
    refused = owner_api.post("/plans/import/sheet", body("unknown_headers.csv", deal=DEAL))
    assert refused.status_code == 400
    assert refused.json_body["errors"] == [
        {"field": "mapping", "message": "no column is the milestone title: map one to Milestone"}
    ]
    mapping = {"What we do": "title", "2": "owner", "Finish": "due_date", "Where we are": "status"}
    answer = owner_api.post(
        "/plans/import/sheet",
        body("unknown_headers.csv", deal=DEAL, mapping=mapping, save_mapping=True),
    )
    assert answer.status_code == 201, answer.json_body
    assert [m["title"] for m in answer.json_body["milestones"]] == [
        "Business case", "Security review", "Contract signature",
    ]  # fmt: skip
    assert answer.json_body["status"] == "draft"  # no target date: a draft
    # The next file with these headers reads with the saved mapping, no mapping sent.
    again = owner_api.post("/plans/import/sheet/preview", body("unknown_headers.csv"))
    assert again.json_body["importable"] is True
    assert [c["field"] for c in again.json_body["columns"]] == [
        "title", "owner", "due_date", "status",
    ]  # fmt: skip


def test_a_saved_mapping_belongs_to_its_workspace_only(owner_api: Api, outsider_api: Api) -> None:
    mapping = {"What we do": "title", "Party": "owner"}
    saved = owner_api.post(
        "/plans/import/sheet/preview",
        body("unknown_headers.csv", mapping=mapping, save_mapping=True),
    )
    assert saved.status_code == 200 and ImportMapping.objects.count() == 1
    theirs = outsider_api.post("/plans/import/sheet/preview", body("unknown_headers.csv"))
    assert theirs.json_body["importable"] is False
    assert {c["field"] for c in theirs.json_body["columns"]} == {None}


def test_an_outsider_imports_only_into_their_own_workspace(
    owner_api: Api, outsider_api: Api, outsider: Any
) -> None:
    answer = outsider_api.post("/plans/import/sheet", body("google_sheets.csv", deal=DEAL))
    assert answer.status_code == 201
    plan = Plan.objects.get(id=answer.json_body["id"])
    assert plan.workspace.memberships.filter(user=outsider).exists()
    assert owner_api.get(f"/plans/{plan.id}").status_code == 404
    assert owner_api.get("/plans").json_body["items"] == []


def test_the_plan_export_csv_and_xlsx_reimport_with_every_field(
    owner_api: Api, rich_plan: dict[str, Any]
) -> None:
    fields = ("title", "owner_side", "owner_team", "due_date", "status", "step_type", "notes")
    original = [[m[f] for f in fields] for m in rich_plan["milestones"]]
    for format_name in ("csv", "xlsx"):
        exported = download(owner_api, f"/plans/{rich_plan['id']}/export?format={format_name}")
        answer = owner_api.post(
            "/plans/import/sheet",
            {
                "format": format_name,
                "content_base64": base64.b64encode(exported.content).decode(),
                "deal": DEAL,
            },
        )
        assert answer.status_code == 201, answer.json_body
        copy = answer.json_body["milestones"]
        assert [[m[f] for f in fields] for m in copy] == original, format_name
        people = [m["owner_person"] and m["owner_person"]["name"] for m in copy]
        assert people == [
            m["owner_person"] and m["owner_person"]["name"] for m in rich_plan["milestones"]
        ]


def test_bad_requests_are_refused_with_the_field_named(owner_api: Api) -> None:
    cases = [
        (body("google_sheets.csv", content_base64="not base64!", deal=DEAL), "content_base64"),
        (body("google_sheets.csv", format="md", deal=DEAL), "format"),
        (body("google_sheets.csv"), "deal"),
        (body("google_sheets.csv", deal=DEAL, mapping={"Who": "boss"}), "mapping.Who"),
        (body("google_sheets.csv", deal=DEAL | {"stage": "nope"}), "deal.stage"),
        (body("excel.xlsx", format="csv", deal=DEAL), "file"),
        (body("google_sheets.csv", format="xlsx", deal=DEAL), "file"),
    ]
    for sent, field in cases:
        answer = owner_api.post("/plans/import/sheet", sent)
        assert answer.status_code == 400, (field, answer.json_body)
        assert field in [e["field"] for e in answer.json_body["errors"]], answer.json_body
    assert Plan.objects.count() == 0 and Deal.objects.count() == 0


def test_a_sheets_rows_are_added_to_an_existing_plan_anchored_and_recorded(
    owner_api: Api, plan: dict[str, Any]
) -> None:
    before = len(plan["milestones"])
    answer = owner_api.post(f"/plans/{plan['id']}/import/sheet", body("european.csv"))
    assert answer.status_code == 201, answer.json_body
    rows = answer.json_body["milestones"]
    assert len(rows) == before + 5
    assert [(m["title"], m["owner_team"], m["due_date"]) for m in rows[before:]][:2] == [
        ("Business case", "Finance", "2027-01-15"),
        ("Security questionnaire", "IT", "2027-01-29"),
    ]
    history = owner_api.get(f"/plans/{plan['id']}/activity").json_body
    assert [a["verb"] for a in history].count("milestone_added") == 5


def test_adding_rows_is_all_or_nothing_and_names_the_lines(
    owner_api: Api, plan: dict[str, Any]
) -> None:
    content = b"Milestone,Owner person\nKickoff,\nLegal review,Nobody Known\n"
    answer = owner_api.post(
        f"/plans/{plan['id']}/import/sheet",
        {"format": "csv", "content_base64": base64.b64encode(content).decode()},
    )
    assert answer.status_code == 400
    assert answer.json_body["errors"] == [
        {
            "field": "line 3",
            "message": "owner person 'Nobody Known' is not one of the plan's people: add them "
            "first",
        }
    ]
    assert Milestone.objects.filter(plan_id=plan["id"]).count() == len(plan["milestones"])


def test_an_outsider_cannot_add_rows_to_another_workspaces_plan(
    outsider_api: Api, plan: dict[str, Any]
) -> None:
    answer = outsider_api.post(f"/plans/{plan['id']}/import/sheet", body("google_sheets.csv"))
    assert answer.status_code == 404
    assert Milestone.objects.filter(plan_id=plan["id"]).count() == len(plan["milestones"])

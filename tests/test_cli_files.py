"""`mutualplan export` and `mutualplan import`: plans as files in a terminal or a script."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from mutualplan.cli import main
from mutualplan.plans.models import Plan
from tests.conftest import make_plan


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def run(runner: CliRunner, *args: str, stdin: bytes | None = None) -> Any:
    return runner.invoke(main, list(args), input=stdin, catch_exceptions=False)


def test_export_prints_a_text_format_and_writes_any_format_to_a_file(
    runner: CliRunner, owner: Any, tmp_path: Path
) -> None:
    plan = make_plan(owner)
    md = run(runner, "export", str(plan.id), "--format", "md", "--user", owner.email)
    assert md.exit_code == 0, md.output
    assert "| Milestone | Owner | Due date | Status | Notes |" in md.output
    out = tmp_path / "plan.xlsx"
    written = run(
        runner,
        "export",
        str(plan.id),
        "--format",
        "xlsx",
        "--output",
        str(out),
        "--user",
        owner.email,
    )
    assert written.exit_code == 0, written.output
    sheet = load_workbook(out).active
    assert sheet is not None and sheet.cell(row=1, column=1).value == "Milestone"
    assert sheet.max_row == 9


def test_export_all_writes_the_workspaces_plans_as_one_csv(runner: CliRunner, owner: Any) -> None:
    make_plan(owner)
    make_plan(owner, deal={"account_name": "Contoso", "account_type": "smb", "stage": "demo"})
    result = run(runner, "export", "--all", "--format", "csv", "--user", owner.email)
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout_bytes.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Plan", "Account"] and len(rows) == 17
    assert {r[1] for r in rows[1:]} == {"Contoso", "Northwind Health"}


def test_export_refuses_a_plan_id_with_all_and_a_format_that_is_not_a_table(
    runner: CliRunner, owner: Any
) -> None:
    both = run(runner, "export", "1", "--all", "--format", "csv", "--user", owner.email)
    assert both.exit_code == 2 and "give a PLAN_ID or --all (not both)" in both.output
    md = run(runner, "export", "--all", "--format", "md", "--user", owner.email)
    assert md.exit_code == 2 and "format: unknown format 'md'; use one of csv, xlsx" in md.output
    unknown = run(runner, "export", "1", "--format", "pdfx", "--user", owner.email)
    assert unknown.exit_code == 2 and "'pdfx' is not one of 'csv', 'xlsx', 'md', 'json'" in (
        unknown.output
    )


def test_an_outsider_cannot_export_another_workspaces_plan(
    runner: CliRunner, owner: Any, outsider: Any
) -> None:
    plan = make_plan(owner)
    result = run(runner, "export", str(plan.id), "--format", "json", "--user", outsider.email)
    assert result.exit_code == 2 and "not found" in result.output
    assert "Northwind" not in result.output


def test_import_creates_the_plan_the_json_export_describes(
    runner: CliRunner, owner: Any, tmp_path: Path
) -> None:
    plan = make_plan(owner)
    out = tmp_path / "plan.json"
    run(
        runner,
        "export",
        str(plan.id),
        "--format",
        "json",
        "--output",
        str(out),
        "--user",
        owner.email,
    )
    result = run(runner, "import", str(out), "--user", owner.email)
    assert result.exit_code == 0, result.output
    copy = Plan.objects.exclude(id=plan.id).get()
    assert result.output.strip() == (
        f"Imported plan {copy.id} for Northwind Health (8 milestones)."
    )
    again = run(runner, "export", str(copy.id), "--format", "json", "--user", owner.email)
    assert json.loads(again.output) == json.loads(out.read_text())


def test_import_of_a_bad_file_lists_every_error_and_creates_nothing(
    runner: CliRunner, owner: Any
) -> None:
    body = {
        "format": "mutualplan.plan",
        "version": 1,
        "deal": {"account_name": "", "account_type": "smb", "stage": "demo"},
        "milestones": [{"key": "m1", "title": "Step", "owner_side": "vendor"}],
    }
    result = run(runner, "import", "-", "--user", owner.email, stdin=json.dumps(body).encode())
    assert result.exit_code == 2
    assert "error: deal.account_name: must not be blank" in result.output
    assert "error: milestones[0].owner_side: unknown value 'vendor'" in result.output
    assert Plan.objects.count() == 0

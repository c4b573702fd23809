"""`mutualplan import FILE --format csv|xlsx`: a spreadsheet MAP previewed, re-mapped with
--map and imported, all of it or nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from mutualplan.cli import main
from mutualplan.plans.models import ImportMapping, Plan
from tests.conftest import make_plan

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "imports"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def run(runner: CliRunner, *args: str) -> Any:
    return runner.invoke(main, list(args), catch_exceptions=False)


def test_preview_prints_the_columns_and_rows_and_imports_nothing(
    runner: CliRunner, owner: Any
) -> None:
    result = run(
        runner, "import", str(FIXTURES / "excel.xlsx"), "--format", "xlsx", "--preview",
        "--user", owner.email,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "Due Date  Due date" in result.stdout
    assert "Legal redline MSA" in result.stdout and "2027-01-28" in result.stdout
    assert "note: The header is on line 3" in result.stdout
    assert Plan.objects.count() == 0


def test_a_csv_with_unknown_headers_imports_with_map_options(runner: CliRunner, owner: Any) -> None:
    path = str(FIXTURES / "unknown_headers.csv")
    refused = run(runner, "import", path, "--format", "csv", "--account", "Acme", "--user",
                  owner.email)  # fmt: skip
    assert refused.exit_code == 2
    assert "error: mapping: no column is the milestone title" in refused.stderr
    result = run(
        runner, "import", path, "--format", "csv", "--account", "Acme",
        "--map", "What we do=title", "--map", "Party=owner", "--map", "3=due_date",
        "--map", "Where we are=status", "--target-date", "2027-04-01", "--save-mapping",
        "--json", "--user", owner.email,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    plan = json.loads(result.stdout)
    assert plan["target_date"] == "2027-04-01" and plan["deal"]["account_name"] == "Acme"
    rows = plan["milestones"]
    assert [(m["title"], m["owner_side"], m["due_date"], m["status"]) for m in rows] == [
        ("Business case", "buyer", "2027-01-15", "done"),
        ("Security review", "buyer", "2027-02-01", "in_progress"),
        ("Contract signature", "joint", "2027-03-01", "not_started"),
    ]  # fmt: skip
    assert ImportMapping.objects.count() == 1


def test_two_bad_rows_import_nothing_and_both_lines_are_named(
    runner: CliRunner, owner: Any
) -> None:
    result = run(
        runner, "import", str(FIXTURES / "two_bad_rows.csv"), "--format", "csv",
        "--account", "Acme", "--user", owner.email,
    )  # fmt: skip
    assert result.exit_code == 2
    assert "error: line 3: due date '2027-02-30' is not a date" in result.stderr
    assert "error: line 4: unknown status 'Maybe later'" in result.stderr
    assert Plan.objects.count() == 0


def test_spreadsheet_options_are_refused_where_they_mean_nothing(
    runner: CliRunner, owner: Any
) -> None:
    path = str(FIXTURES / "google_sheets.csv")
    no_account = run(runner, "import", path, "--format", "csv", "--user", owner.email)
    assert no_account.exit_code == 2 and "--account is required" in no_account.stderr
    json_map = run(runner, "import", path, "--map", "Who=owner", "--user", owner.email)
    assert json_map.exit_code == 2 and "are for --format csv or xlsx" in json_map.stderr
    bad_map = run(runner, "import", path, "--format", "csv", "--account", "A", "--map", "Who",
                  "--user", owner.email)  # fmt: skip
    assert bad_map.exit_code == 2 and "write COLUMN=FIELD" in bad_map.stderr
    assert Plan.objects.count() == 0


def test_plan_adds_the_rows_to_an_existing_plan_of_the_workspace_only(
    runner: CliRunner, owner: Any, outsider: Any
) -> None:
    plan = make_plan(owner)
    before = plan.milestones.count()
    path = str(FIXTURES / "excel.xlsx")
    result = run(runner, "import", path, "--format", "xlsx", "--plan", str(plan.id), "--user",
                 owner.email)  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == f"Added 6 rows to plan {plan.id}."
    assert plan.milestones.count() == before + 6
    theirs = run(runner, "import", path, "--format", "xlsx", "--plan", str(plan.id), "--user",
                 outsider.email)  # fmt: skip
    assert theirs.exit_code == 2 and plan.milestones.count() == before + 6

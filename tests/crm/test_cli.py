"""`mutualplan import-deals`: a CRM export imported from the terminal, with a progress bar
for large files and a summary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from mutualplan.cli import main
from mutualplan.plans.models import Deal, Plan
from tests.crm.conftest import FIXTURES, GENERIC_MAPPING, salesforce_rows


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def run(runner: CliRunner, *args: str) -> Any:
    return runner.invoke(main, ["import-deals", *args], catch_exceptions=False)


def test_it_imports_a_salesforce_report_with_plans_and_says_what_it_did(
    runner: CliRunner, owner: Any, teammate: Any
) -> None:
    file = str(FIXTURES / "salesforce_report.csv")

    first = run(runner, file, "--plans", "standard", "--user", owner.email)
    again = run(runner, file, "--plans", "standard", "--user", owner.email)

    assert first.exit_code == 0, first.output
    assert "4 deals from salesforce: 4 created, 0 updated, 0 unchanged; 2 plans created" in (
        first.stdout
    )
    assert "negotiation_review, proposal_price_quote" in first.stdout
    assert "Pat Unknown" in first.stdout
    assert "0 created, 0 updated, 4 unchanged; 0 plans created" in again.stdout
    assert Deal.objects.count() == 4 and Plan.objects.count() == 2


def test_a_mapped_csv_imports_and_a_dry_run_saves_nothing(runner: CliRunner, owner: Any) -> None:
    maps = [arg for pair in GENERIC_MAPPING for arg in ("--map", pair)]
    file = str(FIXTURES / "generic.csv")

    dry = run(runner, file, *maps, "--dry-run", "--json", "--user", owner.email)

    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.stdout)["created"] == 2 and Deal.objects.count() == 0
    assert run(runner, file, *maps, "--user", owner.email).exit_code == 0
    assert Deal.objects.get(crm_id="P-101").account_name == "Aperture Science"


def test_bad_rows_are_each_listed_and_nothing_is_imported(
    runner: CliRunner, owner: Any, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "Opportunity ID,Account Name,Stage,Close Date\n"
        "006A,Initech,Closed Won,soon\n"
        "006B,Hooli,Qualification,6/30/2027\n"
        "006C,,Qualification,6/30/2027\n"
    )

    result = run(runner, str(bad), "--user", owner.email)

    assert result.exit_code == 2
    assert "error: line 2: Close Date: 'soon' is not a date" in result.stderr
    assert "error: line 4: Account Name: is blank" in result.stderr
    assert Deal.objects.count() == 0


def test_a_large_file_shows_a_progress_bar(runner: CliRunner, owner: Any, tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    big.write_bytes(salesforce_rows(1500))

    result = run(runner, str(big), "--user", owner.email)

    assert result.exit_code == 0, result.output
    assert "Importing deals" in result.stderr
    assert "1500 deals from salesforce: 1500 created" in result.stdout


def test_save_mapping_keeps_the_columns_for_the_next_file(
    runner: CliRunner, owner: Any, outsider: Any, tmp_path: Path
) -> None:
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    first.write_text("Ref,Customer,Phase\nX-1,Initech,Qualification\n")
    second.write_text("Ref,Customer,Phase\nX-2,Hooli,Proposal\n")
    maps = ["--map", "Ref=crm_id", "--map", "Customer=account_name", "--map", "Phase=stage"]

    saved = run(runner, str(first), *maps, "--save-mapping", "--user", owner.email)
    later = run(runner, str(second), "--user", owner.email)
    theirs = run(runner, str(second), "--user", outsider.email)

    assert saved.exit_code == 0, saved.output
    assert later.exit_code == 0, later.output
    assert "1 deals from generic: 1 created" in later.stdout
    assert theirs.exit_code == 2 and "no column holds the deal id" in theirs.stderr
    assert sorted(Deal.objects.values_list("crm_id", flat=True)) == ["X-1", "X-2"]

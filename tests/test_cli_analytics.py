"""`mutualplan analytics`: the step-duration and cycle tables in the terminal, or as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from click.testing import CliRunner

from mutualplan.cli import main
from mutualplan.core.durations import duration_table
from mutualplan.plans.analytics import duration_cells
from mutualplan.plans.learning import step_columns
from mutualplan.workspaces.models import Workspace
from tests.analytics.history import START, history_plan

AS_OF = START + dt.timedelta(days=40)


def run(*args: str) -> Any:
    return CliRunner().invoke(main, ["analytics", *args], catch_exceptions=False)


def small_history(owner: Any) -> None:
    history_plan(owner, "enterprise", done={"business_case": 6, "security_review": 30})
    history_plan(owner, "enterprise", done={"business_case": 10})
    history_plan(owner, "smb", done={"business_case": 4})
    history_plan(owner, "smb", status="won", closed=START + dt.timedelta(days=30))
    history_plan(owner, "smb", status="lost", closed=START + dt.timedelta(days=20))


def test_it_prints_both_tables_aligned_with_what_each_figure_rests_on(owner: Any) -> None:
    small_history(owner)
    result = run("--user", owner.email, "--as-of", "2026-06-30")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "Step durations as of 2026-06-30." in result.output
    header = next(line for line in lines if line.startswith("step type"))
    assert header.split("  ")[0] == "step type" and "median" in header and "P80" in header
    business = next(line for line in lines if line.startswith("Business case"))
    assert "All deals" in business and "10 days" in business
    assert any(line.strip().startswith("smb") and "~" in line for line in lines)
    assert "Deal cycles as of 2026-06-30" in result.output
    cycle = next(line for line in lines if line.startswith("smb") and "2026-Q1" in line)
    # Won after 30 days, one of two closed (days late follow the test plans' target dates).
    assert cycle.split()[:9] == ["smb", "2026-Q1", "1", "1", "50%", "30", "days", "30", "days"]


def test_one_table_for_one_account_type_as_csv_equals_the_table(
    owner: Any, workspace: Workspace
) -> None:
    small_history(owner)
    result = run(
        "--user", owner.email, "--table", "durations", "--account-type", "smb", "--csv",
        "--as-of", AS_OF.isoformat(),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.output)))
    table = duration_table(step_columns(workspace, AS_OF))
    wanted = [r for r in table if r.account_type in (None, "smb")]
    assert rows[0][:3] == ["Step type", "Account type", "Observations"]
    assert rows[1:] == [["" if c is None else str(c) for c in duration_cells(r)] for r in wanted]
    assert "Deal cycles" not in result.output and "Won" not in rows[0]


def test_an_empty_workspace_says_how_to_get_a_history(owner: Any) -> None:
    result = run("--user", owner.email)
    assert result.exit_code == 0, result.output
    assert "No step history yet" in result.output
    assert "mutualplan demo --deals 300" in result.output


def test_bad_option_values_give_a_clear_message_and_exit_2(owner: Any) -> None:
    bad_date = run("--user", owner.email, "--as-of", "2026-13-01")
    assert bad_date.exit_code == 2
    assert "error: as_of: '2026-13-01' is not a date; use YYYY-MM-DD" in bad_date.output
    future = run("--user", owner.email, "--as-of", "2999-01-01")
    assert future.exit_code == 2 and "is after today" in future.output
    bad_table = run("--user", owner.email, "--table", "pipeline")
    assert bad_table.exit_code == 2 and "'pipeline' is not one of" in bad_table.output
    long = run("--user", owner.email, "--account-type", "x" * 101)
    assert long.exit_code == 2 and "account_type: is longer than 100" in long.output
    unknown = run("--user", owner.email, "--account-type", "nobody")
    assert unknown.exit_code == 2
    assert "'nobody' is not an account type of this workspace (enterprise" in unknown.output
    nobody = run("--user", "nobody@example.com")
    assert nobody.exit_code == 2 and "no active user" in nobody.output


def test_it_reads_only_the_sellers_workspace(owner: Any, outsider: Any) -> None:
    small_history(owner)
    result = run("--user", outsider.email, "--as-of", AS_OF.isoformat())
    assert result.exit_code == 0
    assert "enterprise" not in result.output and "No step history yet" in result.output

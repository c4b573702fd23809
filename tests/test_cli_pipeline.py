"""`mutualplan pipeline`: the pipeline forecast in a terminal or a script."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

from mutualplan.cli import main
from mutualplan.core.vocab import PlanStatus
from mutualplan.plans.models import Milestone
from tests.pipeline_deals import pipeline_deal


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def run(runner: CliRunner, *args: str) -> Any:
    return runner.invoke(main, ["pipeline", *args], catch_exceptions=False)


@pytest.fixture
def deals(owner: Any, teammate: Any) -> None:
    pipeline_deal(owner, "Northwind", 120_000, close_in_days=10)
    pipeline_deal(teammate, "Contoso", 30_000, account_type="smb")
    pipeline_deal(owner, "Initech", 50_000, currency="EUR")
    pipeline_deal(owner, "Won Co", 70_000, status=PlanStatus.WON, close_in_days=-9)


def test_the_pipeline_command_prints_quarters_breakdowns_and_late_deals(
    runner: CliRunner, owner: Any, deals: None
) -> None:
    result = run(runner, "--user", owner.email)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "USD: 2 open deals, 150,000 USD open" in out
    assert "EUR: 1 open deal, 50,000 EUR open" in out
    assert "Quarter" in out and "Expected" in out and "P10" in out and "P90" in out
    assert "By owner (expected, USD):" in out and "Theo Teammate" in out
    assert "By account type (expected, USD):" in out and "smb" in out
    assert "Later than the CRM says" in out and "Northwind" in out
    assert "Won Co" not in out


def test_the_pipeline_command_gives_the_apis_shape_as_json_with_filters(
    runner: CliRunner, owner: Any, deals: None
) -> None:
    result = run(
        runner, "--json", "--user", owner.email, "--account-type", "smb", "--quarters", "2"
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["currency"] == "USD" and data["deals"] == 1
    assert [b["name"] for b in data["by_account_type"]] == ["smb"]
    assert len(data["quarters"]) == 2 and data["filters"]["account_type"] == "smb"
    mine = json.loads(run(runner, "--json", "--user", owner.email, "--owner", owner.email).output)
    assert [b["name"] for b in mine["by_owner"]] == ["Olivia Owner"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--quarters", "9"), "9 is not in the range 1<=x<=8"),
        (("--owner", "nobody@acme.example"), "owner: no seller of this workspace"),
        (("--account-type", "galactic"), "account_type: 'galactic' is not an account type"),
    ],
)
def test_bad_filters_exit_with_status_2_and_say_why(
    runner: CliRunner, owner: Any, args: tuple[str, ...], message: str
) -> None:
    result = run(runner, "--user", owner.email, *args)
    assert result.exit_code == 2
    assert message in result.output


def test_the_pipeline_command_names_plans_left_out_for_having_no_steps(
    runner: CliRunner, owner: Any, deals: None
) -> None:
    empty = pipeline_deal(owner, "Empty Co", 500_000)
    Milestone.objects.filter(plan=empty).delete()
    out = run(runner, "--user", owner.email).output
    assert f"Left out, no steps yet to forecast (1): Empty Co (plan {empty.pk})" in out
    assert "500,000" not in out


def test_a_workspace_with_no_open_plan_says_so(runner: CliRunner, owner: Any) -> None:
    result = run(runner, "--user", owner.email)
    assert result.exit_code == 0
    assert "No open plans" in result.output

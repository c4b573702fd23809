"""The `mutualplan` command, as a seller would use it in a terminal or a script."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner
from django.contrib.auth import get_user_model

from mutualplan.cli import main
from mutualplan.plans.models import Plan
from mutualplan.workspaces.models import ApiToken, Workspace, hash_token
from tests.conftest import day


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def run(runner: CliRunner, *args: str, env: dict[str, str] | None = None) -> Any:
    return runner.invoke(main, list(args), env=env, catch_exceptions=False)


def test_createuser_makes_a_seller_in_a_new_workspace(runner: CliRunner, db: Any) -> None:
    result = run(
        runner,
        "createuser",
        "sam@acme.example",
        "--password",
        "long-enough-pw",
        "--workspace",
        "acme",
        "--name",
        "Sam Seller",
    )
    assert result.exit_code == 0, result.output
    assert "Created sam@acme.example in workspace acme (new)" in result.output
    assert Workspace.objects.get(slug="acme").memberships.get().user.first_name == "Sam"


def test_createuser_refuses_a_short_password_and_a_duplicate(runner: CliRunner, owner: Any) -> None:
    short = run(runner, "createuser", "x@acme.example", "--password", "short")
    assert short.exit_code == 2 and "at least 10 characters" in short.output
    dup = run(runner, "createuser", owner.email, "--password", "long-enough-pw")
    assert dup.exit_code == 2 and "already exists" in dup.output


def test_createuser_refuses_a_weak_password_with_every_reason_and_creates_nothing(
    runner: CliRunner, db: Any
) -> None:
    users = get_user_model().objects
    for password, reasons in (
        ("1234567890", ["too common", "entirely numeric"]),
        ("password1234", ["too common"]),
        ("sam.seller@acme.example", ["too similar to the"]),
    ):
        result = run(
            runner,
            "createuser",
            "sam.seller@acme.example",
            "--password",
            password,
            "--workspace",
            "acme",
            "--name",
            "Sam Seller",
        )
        assert result.exit_code == 2, password
        for reason in reasons:
            assert reason in result.output, (password, result.output)
        assert not users.filter(email="sam.seller@acme.example").exists()
        assert not Workspace.objects.filter(slug="acme").exists()


def test_token_create_prints_a_working_token_once(runner: CliRunner, owner: Any) -> None:
    result = run(runner, "token", "create", "--user", owner.email)
    assert result.exit_code == 0, result.output
    clear = result.output.strip()
    assert ApiToken.objects.filter(token_hash=hash_token(clear), user=owner).exists()


def test_token_create_refuses_a_name_over_100_characters_and_issues_nothing(
    runner: CliRunner, owner: Any
) -> None:
    result = run(runner, "token", "create", "--user", owner.email, "--name", "x" * 101)
    assert result.exit_code == 2
    assert "error: name: a token name has at most 100 characters" in result.output
    assert not ApiToken.objects.exists()


def test_plan_new_list_and_show_read_as_tables(runner: CliRunner, owner: Any) -> None:
    created = run(
        runner,
        "plan",
        "new",
        "--account",
        "Contoso",
        "--account-type",
        "enterprise",
        "--stage",
        "evaluation",
        "--amount",
        "64000",
        "--target",
        day(60),
        "--reason",
        "Peak season in April",
        "--user",
        owner.email,
    )
    assert created.exit_code == 0, created.output
    assert "Contoso  (enterprise, 64,000 USD, stage evaluation)" in created.output
    assert "Legal redline MSA" in created.output and "HIGH" in created.output
    listed = run(runner, "plan", "list", env={"MUTUALPLAN_USER": owner.email})
    assert "Contoso" in listed.output and "0/8" in listed.output
    plan_id = Plan.objects.get().id
    shown = run(runner, "plan", "show", str(plan_id), "--user", owner.email)
    assert "Kickoff scheduled" in shown.output
    assert f"Target {day(60)} (60 days left) - Peak season in April" in shown.output


def test_json_output_is_the_apis_plan_shape(runner: CliRunner, owner: Any) -> None:
    created = run(
        runner,
        "plan",
        "new",
        "--account",
        "Fabrikam",
        "--target",
        day(45),
        "--json",
        "--user",
        owner.email,
    )
    data = json.loads(created.output)
    assert data["deal"]["account_name"] == "Fabrikam" and len(data["milestones"]) == 8
    assert "private_notes" in data["milestones"][0]
    listed = json.loads(run(runner, "plan", "list", "--json", "--user", owner.email).output)
    assert [p["id"] for p in listed] == [data["id"]]


def test_bad_input_gets_a_clear_error_and_creates_nothing(runner: CliRunner, owner: Any) -> None:
    bad_date = run(
        runner, "plan", "new", "--account", "X", "--target", "31/12/2026", "--user", owner.email
    )
    assert bad_date.exit_code == 2 and "not a date" in bad_date.output
    bad_type = run(
        runner, "plan", "new", "--account", "X", "--account-type", "huge", "--user", owner.email
    )
    assert bad_type.exit_code == 2 and "deal.account_type" in bad_type.output
    assert Plan.objects.count() == 0


def test_a_seller_cannot_show_another_workspaces_plan(
    runner: CliRunner, owner: Any, outsider: Any
) -> None:
    run(runner, "plan", "new", "--account", "Secret", "--user", owner.email)
    result = run(runner, "plan", "show", str(Plan.objects.get().id), "--user", outsider.email)
    assert result.exit_code == 2 and "not found" in result.output
    assert "Secret" not in result.output


def test_an_unknown_user_is_told_how_to_create_one(runner: CliRunner, db: Any) -> None:
    result = run(runner, "plan", "list", "--user", "nobody@example.com")
    assert result.exit_code == 2 and "mutualplan createuser" in result.output


def test_every_option_names_its_environment_variable(runner: CliRunner) -> None:
    for command in (
        ["serve"],
        ["plan", "new"],
        ["plan", "list"],
        ["token", "create"],
        ["createuser"],
        ["backup"],
        ["restore"],
    ):
        help_text = run(runner, *command, "--help").output
        assert "MUTUALPLAN_" in help_text, command
    assert "MUTUALPLAN_PORT" in run(runner, "serve", "--help").output
    assert "MUTUALPLAN_PG_BIN" in run(runner, "backup", "--help").output


def test_arguments_that_are_not_utf8_get_a_usage_error_and_create_nothing(
    runner: CliRunner, owner: Any
) -> None:
    # A terminal's bytes that are not UTF-8 reach Python as lone surrogates (surrogateescape):
    # the database cannot store them.
    account = b"Acme \xff".decode("utf-8", "surrogateescape")
    result = runner.invoke(main, ["plan", "new", "--account", account, "--user", owner.email])
    assert result.exit_code == 2
    assert "Invalid value for '--account': is not valid UTF-8" in result.output
    email = b"sam\xff@acme.example".decode("utf-8", "surrogateescape")
    user = runner.invoke(main, ["createuser", email, "--password", "long-enough-pw"])
    assert user.exit_code == 2
    assert "Invalid value for 'EMAIL': is not valid UTF-8" in user.output
    assert Plan.objects.count() == 0

"""`mutualplan plan new | list | show | health`: plans in the terminal, or as JSON for scripts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

import click

from mutualplan.commands.common import (
    dump_json,
    fail,
    json_option,
    option,
    run_action,
    seller_context,
    seller_options,
    setup_django,
    table,
)


@click.group()
def plan() -> None:
    """Create, list and show plans."""


def _parse_date(value: str | None, field: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(f"{field}: {value!r} is not a date (use YYYY-MM-DD)")
    return None


@plan.command("new")
@option("--account", required=True, help="Account name.")
@option("--account-type", default="mid_market", show_default=True)
@option("--stage", default="discovery", show_default=True)
@option("--amount", default="0", show_default=True)
@option("--currency", default="USD", show_default=True)
@option("--target", "target", default=None, help="Target date, YYYY-MM-DD.")
@option("--reason", default="", help="The buyer's reason for the date.")
@option("--template", default="standard", show_default=True)
@option("--country", default="", help="ISO country code for public holidays.")
@option("--business-days", is_flag=True, help="Count business days, not calendar days.")
@option(
    "--from-turnarounds",
    is_flag=True,
    help="Date rows through turnarounds and dependencies instead of fixed offsets.",
)
@json_option
@seller_options
def plan_new(
    account: str,
    account_type: str,
    stage: str,
    amount: str,
    currency: str,
    target: str | None,
    reason: str,
    template: str,
    country: str,
    business_days: bool,
    from_turnarounds: bool,
    as_json: bool,
    user_email: str,
    workspace: str | None,
    data_dir: str | None,
) -> None:
    """Create a deal and its plan from a template."""
    setup_django(data_dir)
    from mutualplan.plans.services import plans as plan_service

    ws, actor = seller_context(user_email, workspace)
    try:
        value = Decimal(amount)
    except InvalidOperation:
        fail(f"amount: {amount!r} is not a number")
    new = run_action(
        lambda: plan_service.create_plan(
            ws,
            actor,
            deal=plan_service.DealInput(
                account_name=account,
                account_type=account_type,
                stage=stage,
                amount=value,
                currency=currency,
            ),
            target_date=_parse_date(target, "target"),
            target_reason=reason,
            template=template,
            country=country,
            business_days=business_days,
            from_turnarounds=from_turnarounds,
        )
    )
    _show(new, as_json)


@plan.command("list")
@option("--status", default=None, help="draft, active, won, lost or paused.")
@json_option
@seller_options
def plan_list(
    status: str | None, as_json: bool, user_email: str, workspace: str | None, data_dir: str | None
) -> None:
    """The workspace's plans."""
    setup_django(data_dir)
    from mutualplan.plans import queries
    from mutualplan.plans.health import health_by_plan
    from mutualplan.plans.seller_view import plan_summary
    from mutualplan.workspaces.clock import today_for

    ws, _ = seller_context(user_email, workspace)
    today = today_for(ws)
    filters = queries.PlanFilters(status=status)
    plans = list(queries.plan_list(ws, filters, today))
    health = health_by_plan(ws, plans, today)
    items = [plan_summary(p, today, health[p.id]) for p in plans]
    if as_json:
        click.echo(dump_json(items))
        return
    click.echo(
        table(
            [
                "id",
                "account",
                "amount",
                "target",
                "days left",
                "status",
                "done",
                "overdue",
                "health",
            ],
            [
                [
                    p["id"],
                    p["deal"]["account_name"],
                    f"{p['deal']['amount']:,.0f} {p['deal']['currency']}",
                    p["target_date"] or "no date",
                    p["days_left"],
                    p["status"],
                    f"{p['rows_done']}/{p['rows_total']}",
                    p["rows_overdue"],
                    " ".join(p["health"]) or "healthy",
                ]
                for p in items
            ],
        )
    )


@plan.command("show")
@click.argument("plan_id", type=int)
@json_option
@seller_options
def plan_show(
    plan_id: int, as_json: bool, user_email: str, workspace: str | None, data_dir: str | None
) -> None:
    """One plan with its milestones."""
    setup_django(data_dir)
    from mutualplan.plans import access

    ws, _ = seller_context(user_email, workspace)
    _show(run_action(lambda: access.get_plan(ws, plan_id)), as_json)


@plan.command("health")
@click.argument("plan_id", type=int)
@json_option
@seller_options
def plan_health(
    plan_id: int, as_json: bool, user_email: str, workspace: str | None, data_dir: str | None
) -> None:
    """The plan's health findings, most severe first, each with its fix."""
    setup_django(data_dir)
    from mutualplan.plans import access
    from mutualplan.plans.health import health_by_plan
    from mutualplan.plans.seller_view import finding_dict
    from mutualplan.workspaces.clock import today_for

    ws, _ = seller_context(user_email, workspace)
    plan_obj = run_action(lambda: access.get_plan(ws, plan_id))
    findings = [finding_dict(f) for f in health_by_plan(ws, [plan_obj], today_for(ws))[plan_id]]
    if as_json:
        click.echo(dump_json({"findings": findings}))
        return
    if not findings:
        click.echo("Healthy: nothing to fix.")
        return
    click.echo(
        table(
            ["severity", "code", "finding", "fix"],
            [[f["severity"], f["code"], f["message"], f["fix"]] for f in findings],
        )
    )


def _show(plan_obj: Any, as_json: bool) -> None:
    from mutualplan.plans.seller_view import plan_dict

    data = plan_dict(plan_obj)
    if as_json:
        click.echo(dump_json(data))
        return
    deal = data["deal"]
    click.echo(
        f"{deal['account_name']}  ({deal['account_type']}, {deal['amount']:,.0f} "
        f"{deal['currency']}, stage {deal['stage']})"
    )
    if data["target_date"]:
        click.echo(
            f"Target {data['target_date']} ({data['days_left']} days left)"
            f" - {data['target_reason'] or 'no reason for the date yet'}"
        )
    else:
        click.echo("No target date: this is a list of tasks, not a plan yet.")
    click.echo(
        f"Plan {data['id']}, status {data['status']}, "
        f"{'confirmed' if data['confirmed'] else 'not confirmed'} by the buyer\n"
    )
    click.echo(
        table(
            ["#", "milestone", "owner", "due", "status", "risk"],
            [
                [
                    m["position"] + 1,
                    m["title"],
                    f"{m['owner_side']} ({m['owner_team']})"
                    if m["owner_team"]
                    else m["owner_side"],
                    m["due_date"] or "-",
                    "overdue" if m["overdue"] else m["status"],
                    "HIGH" if m["high_risk"] else "",
                ]
                for m in data["milestones"]
            ],
        )
    )
    for w in data["warnings"]:
        click.echo(f"warning: {w['message']}")

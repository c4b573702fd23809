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


def _last_email(delivery: Any) -> dict[str, Any] | None:
    if delivery is None:
        return None
    return {
        "id": delivery.id,
        "recipient": delivery.recipient,
        "subject": delivery.subject,
        "status": delivery.status,
        "last_error": delivery.last_error,
        "created_at": delivery.created_at,
    }


def _email_state(email: dict[str, Any] | None) -> str:
    if email is None:
        return "not sent"
    state = email["status"]
    if state == "failed":
        state = f"failed: {email['last_error']}"
    return f"{email['recipient']} on {email['created_at']:%Y-%m-%d} ({state})"


@plan.command("escalations")
@click.argument("plan_id", type=int)
@json_option
@seller_options
def plan_escalations(
    plan_id: int, as_json: bool, user_email: str, workspace: str | None, data_dir: str | None
) -> None:
    """Stale buyer steps, whom to escalate each to, and the last escalation emailed."""
    setup_django(data_dir)
    from mutualplan.plans import access
    from mutualplan.plans.diagnostics import escalation_dict
    from mutualplan.plans.diagnostics import plan_escalations as escalations_of
    from mutualplan.plans.services.escalating import last_escalations
    from mutualplan.workspaces.clock import today_for

    ws, _ = seller_context(user_email, workspace)
    plan_obj = run_action(lambda: access.get_plan(ws, plan_id))
    sent = last_escalations(plan_obj)
    items = [
        {**escalation_dict(e), "last_email": _last_email(sent.get(e.milestone_id))}
        for e in escalations_of(plan_obj, today_for(ws))
    ]
    if as_json:
        click.echo(dump_json({"escalations": items}))
        return
    if not items:
        click.echo(
            f"No escalations: every open buyer step has had a status update in the last "
            f"{ws.stale_days} days."
        )
        return
    click.echo(
        table(
            ["row", "step", "owner", "silent", "escalate to", "last email"],
            [
                [
                    e["milestone_id"],
                    e["title"],
                    e["owner"],
                    f"{e['days_silent']} days",
                    f"{e['escalate_to']} <{e['escalate_to_email'] or 'no email'}>",
                    _email_state(e["last_email"]),
                ]
                for e in items
            ],
        )
    )
    click.echo("\nSend one with: mutualplan plan escalate PLAN_ID ROW [--to EMAIL]")


@plan.command("escalate")
@click.argument("plan_id", type=int)
@click.argument("milestone_id", type=int)
@option("--to", default=None, help="One email address (default: the escalation's contact).")
@option("--subject", default=None, help="The subject (default: the draft's).")
@option("--body", default=None, help="The email's text (default: the draft's).")
@json_option
@seller_options
def plan_escalate(
    plan_id: int,
    milestone_id: int,
    to: str | None,
    subject: str | None,
    body: str | None,
    as_json: bool,
    user_email: str,
    workspace: str | None,
    data_dir: str | None,
) -> None:
    """Email the escalation of a stale buyer step through the queue (sent by `serve` or
    `worker`); the recipient gets a share link of their own."""
    setup_django(data_dir)
    from mutualplan.plans import access
    from mutualplan.plans.services.escalating import send_escalation

    ws, actor = seller_context(user_email, workspace)
    plan_obj = run_action(lambda: access.get_plan(ws, plan_id))
    delivery = run_action(lambda: send_escalation(plan_obj, actor, milestone_id, to, subject, body))
    if as_json:
        click.echo(dump_json(_last_email(delivery)))
        return
    click.echo(
        f"Escalation queued for {delivery.recipient}: {delivery.subject!r}. "
        f"Its outcome shows on the plan page and in `mutualplan plan escalations {plan_id}`."
    )

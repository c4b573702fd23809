"""`mutualplan pipeline`: the pipeline forecast in the terminal, or as JSON for scripts."""

from __future__ import annotations

from typing import Any

import click

from mutualplan.commands.common import (
    dump_json,
    json_option,
    option,
    run_action,
    seller_context,
    seller_options,
    setup_django,
    table,
)


def _amount(value: float) -> str:
    return f"{value:,.0f}"


def _currency_lines(part: dict[str, Any]) -> list[str]:
    currency = part["currency"]
    labels = [q["quarter"] for q in part["quarters"]]
    rows = [
        [
            q["quarter"],
            f"{q['start']} to {q['end']}",
            _amount(q["expected_amount"]),
            _amount(q["p10"]),
            _amount(q["p90"]),
            q["deals"],
        ]
        for q in [*part["quarters"], part["total"]]
    ]
    lines = [
        f"{currency}: {part['deals']} open deal{'s' if part['deals'] != 1 else ''}, "
        f"{_amount(part['open_amount'])} {currency} open",
        "",
        table(["Quarter", "Dates", "Expected", "P10", "P90", "Deals"], rows),
    ]
    for title, key in (("Owner", "by_owner"), ("Account type", "by_account_type")):
        lines += [
            "",
            f"By {title.lower()} (expected, {currency}):",
            table(
                [title, "Deals", *labels, "Total"],
                [
                    [
                        b["name"],
                        b["deals"],
                        *(_amount(v) for v in b["expected_by_quarter"]),
                        _amount(b["expected_total"]),
                    ]
                    for b in part[key]
                ],
            ),
        ]
    return lines


def _text(data: dict[str, Any]) -> str:
    lines = [
        f"Pipeline forecast as of {data['as_of']}: expected amount = amount × {data['chance']}.",
        "P10 to P90: 8 times in 10 the quarter's total falls in this band.",
        "",
    ]
    parts = [data, *data["other_currencies"]] if data["currency"] else []
    if not parts:
        lines.append("No open plans (active, paused, or drafts with a target date).")
    for part in parts:
        lines += [*_currency_lines(part), ""]
    late = data["late_deals"]
    lines.append(f"Later than the CRM says ({len(late)}): plan P50 after the CRM close date")
    if late:
        lines.append(
            table(
                ["Plan", "Account", "Owner", "Amount", "CRM close", "Plan P50", "Gap", "P80 gap"],
                [
                    [
                        d["plan_id"],
                        d["account_name"],
                        d["owner"],
                        f"{_amount(d['amount'])} {d['currency']}",
                        d["crm_close_date"],
                        d["plan_p50"],
                        f"{d['gap_days']} d",
                        f"{d['gap_p80_days']} d",
                    ]
                    for d in late
                ],
            )
        )
    if left_out := data["plans_without_steps"]:
        names = ", ".join(f"{p['account_name']} (plan {p['plan_id']})" for p in left_out)
        lines += ["", f"Left out, no steps yet to forecast ({len(left_out)}): {names}"]
    return "\n".join(lines).rstrip()


@click.command("pipeline")
@option("--owner", default=None, help="Only this owner's deals (their email).")
@option("--account-type", default=None, help="Only deals of this account type.")
@option(
    "--quarters",
    default=4,
    show_default=True,
    type=click.IntRange(1, 8),
    help="How many fiscal quarters, from the current one.",
)
@json_option
@seller_options
def pipeline(
    owner: str | None,
    account_type: str | None,
    quarters: int,
    as_json: bool,
    user_email: str,
    workspace: str | None,
    data_dir: str | None,
) -> None:
    """The pipeline forecast: expected amount closing per quarter with its P10-P90 band, by
    owner and account type, and the deals the plan says close after their CRM date."""
    setup_django(data_dir)
    from mutualplan.plans import pipeline as service

    ws, _ = seller_context(user_email, workspace)
    filters, count = run_action(lambda: service.check_filters(ws, owner, account_type, quarters))
    data = service.pipeline_dict(service.workspace_pipeline(ws, filters, count))
    click.echo(dump_json(data) if as_json else _text(data))

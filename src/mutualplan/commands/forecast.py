"""`mutualplan forecast ID`: a plan's close-date forecast and next best actions in the
terminal, or as the API's JSON."""

from __future__ import annotations

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

MIN_SAMPLES, MAX_SAMPLES = 100, 20_000


def _percent(share: float | None) -> str:
    return "-" if share is None else f"{round(100 * share)} %"


@click.command("forecast")
@click.argument("plan_id", type=int)
@option(
    "--samples",
    type=click.IntRange(MIN_SAMPLES, MAX_SAMPLES),
    default=2_000,
    show_default=True,
    help="Monte Carlo samples to draw.",
)
@json_option
@seller_options
def forecast(
    plan_id: int,
    samples: int,
    as_json: bool,
    user_email: str,
    workspace: str | None,
    data_dir: str | None,
) -> None:
    """A plan's close-date forecast: the chance of finishing by the target and by the quarter
    end, the P50/P80/P90 dates, the most critical steps and the next best actions."""
    setup_django(data_dir)
    from mutualplan.plans import access
    from mutualplan.plans.next_actions import forecast_dict, no_forecast_reason, plan_forecast

    ws, _ = seller_context(user_email, workspace)
    plan_obj = run_action(lambda: access.get_plan(ws, plan_id))
    found = plan_forecast(plan_obj, samples)
    if found is None:
        fail(no_forecast_reason(plan_obj))
        return
    data = forecast_dict(found)
    if as_json:
        click.echo(dump_json(data))
        return
    _print(data)


def _print(data: dict[str, Any]) -> None:
    target = data["target_date"]
    click.echo(
        f"Forecast of plan {data['plan_id']} as of {data['today']} ({data['samples']} samples)"
    )
    click.echo(
        table(
            ["", "date", "chance"],
            [
                ["target", target or "no target date", _percent(data["p_by_target"])],
                ["quarter end", data["quarter_end"], _percent(data["p_by_quarter_end"])],
                ["P50 (half of forecasts)", data["p50"], "50 %"],
                ["P80", data["p80"], "80 %"],
                ["P90", data["p90"], "90 %"],
            ],
        )
    )
    if data["steps"]:
        click.echo("\nMost critical remaining steps")
        click.echo(
            table(
                ["row", "step", "owner", "critical", "rests on"],
                [
                    [
                        s["milestone_id"],
                        s["title"],
                        s["owner_side"],
                        _percent(s["criticality"]),
                        s["rests_on"]["text"]
                        + (" (open longer than any history)" if s["beyond_history"] else ""),
                    ]
                    for s in data["steps"][:3]
                ],
            )
        )
    else:
        click.echo("\nEvery step is done.")
    if data["actions"]:
        click.echo("\nNext best actions")
        click.echo(
            table(
                ["effect", "action", "row"],
                [
                    [f"{a['effect_pp']:+.1f} pp", a["title"], a["milestone_id"] or ""]
                    for a in data["actions"]
                ],
            )
        )
        for a in data["actions"]:
            click.echo(f"- {a['title']}: {a['explanation']}")
    else:
        click.echo("\nNo action would raise the chance of finishing by the target.")

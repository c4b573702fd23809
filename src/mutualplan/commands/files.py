"""`mutualplan export | import`: plans as files (every format of `mutualplan.formats`), and a
plan created back from a file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO, Any

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
)
from mutualplan.formats import ReadableFormat, WorkspaceFormat, names

EXPORT_FORMATS = click.Choice(names())


@click.command("export")
@click.argument("plan_id", type=int, required=False)
@option("--all", "all_plans", is_flag=True, help="Every plan of the workspace (csv or xlsx).")
@option(
    "--format",
    "format_name",
    type=EXPORT_FORMATS,
    required=True,
    help=f"One plan: {', '.join(names())}; --all: {', '.join(names(WorkspaceFormat))}.",
)
@option(
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write to this file (default: standard output).",
)
@seller_options
def export(
    plan_id: int | None,
    all_plans: bool,
    format_name: str,
    output: str | None,
    user_email: str,
    workspace: str | None,
    data_dir: str | None,
) -> None:
    """Export one plan (PLAN_ID) or, with --all, every plan of the workspace as one table."""
    if (plan_id is None) == (not all_plans):
        fail("give a PLAN_ID or --all (not both)")
    setup_django(data_dir)
    from mutualplan.plans import access, exports

    ws, _ = seller_context(user_email, workspace)
    if all_plans:
        found = run_action(lambda: exports.export_workspace(ws, format_name))
    else:
        assert plan_id is not None
        plan = run_action(lambda: access.get_plan(ws, plan_id))
        found = run_action(lambda: exports.export_plan(plan, format_name))
    if output:
        Path(output).write_bytes(found.content)
        click.echo(f"Wrote {output} ({len(found.content):,} bytes).", err=True)
        return
    if not found.is_text and sys.stdout.isatty():
        fail(f"{format_name} is a binary file: write it with --output FILE")
    sys.stdout.flush()
    sys.stdout.buffer.write(found.content)
    sys.stdout.buffer.flush()


@click.command("import")
@click.argument("file", type=click.File("rb"))
@option(
    "--format",
    "format_name",
    type=click.Choice(names(ReadableFormat)),
    default="json",
    show_default=True,
    help="The file's format.",
)
@json_option
@seller_options
def import_(
    file: IO[bytes],
    format_name: str,
    as_json: bool,
    user_email: str,
    workspace: str | None,
    data_dir: str | None,
) -> None:
    """Create a new deal and plan from FILE (- for standard input): all of it, or nothing
    with every bad field named."""
    setup_django(data_dir)
    from mutualplan.plans.seller_view import plan_dict
    from mutualplan.plans.services import imports

    ws, actor = seller_context(user_email, workspace)
    content = file.read()
    plan: Any = run_action(lambda: imports.import_plan_file(ws, actor, content, format_name))
    if as_json:
        click.echo(dump_json(plan_dict(plan)))
        return
    rows = plan.milestones.count()
    click.echo(f"Imported plan {plan.id} for {plan.deal.account_name} ({rows} milestones).")

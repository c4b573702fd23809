"""`mutualplan export | import`: plans as files (every format of `mutualplan.formats`), and a
plan created back from a file: JSON as exported, or a spreadsheet (CSV, XLSX) through the
column mapping (`--map "Who=owner"`) and its preview (`--preview`)."""

from __future__ import annotations

import datetime as dt
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
    table,
)
from mutualplan.formats import ReadableFormat, SheetFormat, WorkspaceFormat, names

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


def _mapping(pairs: tuple[str, ...]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        column, sep, field = pair.rpartition("=")
        if not sep or not column.strip():
            fail(f'--map {pair!r}: write COLUMN=FIELD, e.g. --map "Who=owner"')
        mapping[column.strip()] = field.strip()
    return mapping


def _show_preview(preview: Any) -> None:
    click.echo(
        table(
            ["#", "Column", "Read as", "Samples"],
            [
                [
                    c.number,
                    c.header,
                    c.label + (" (mapped)" if c.how == "mapped" else ""),
                    " | ".join(c.samples)[:60],
                ]
                for c in preview.columns
            ],
        )
    )
    click.echo("")
    from mutualplan.formats.sheet import row_summary

    rows = [
        [r.line, *row_summary(r.milestone).values()]
        for r in preview.rows
        if r.milestone is not None
    ]
    headers = ["Line", "Milestone", "Side", "Team", "Due", "Status", "Step type", "High risk"]
    click.echo(table(headers, rows))
    for note in preview.notes:
        click.echo(f"note: {note}")
    for error in preview.errors:
        click.echo(f"error: {error['field']}: {error['message']}", err=True)


@click.command("import")
@click.argument("file", type=click.File("rb"))
@option(
    "--format",
    "format_name",
    type=click.Choice(names(ReadableFormat) + names(SheetFormat)),
    default="json",
    show_default=True,
    help="The file's format.",
)
@option(
    "--map",
    "mapping",
    multiple=True,
    metavar="COLUMN=FIELD",
    help="CSV/XLSX: read a column (header text or number from 1) as a field: title, owner, "
    "owner_side, owner_team, owner_person, due_date, status, notes, step_type, high_risk, "
    "or ignore. Repeat for more columns.",
)
@option("--preview", is_flag=True, help="CSV/XLSX: show how the file reads; import nothing.")
@option("--save-mapping", is_flag=True, help="CSV/XLSX: keep the mapping for files like this.")
@option(
    "--plan",
    "plan_id",
    type=int,
    default=None,
    help="CSV/XLSX: add the rows to this existing plan instead of creating one.",
)
@option("--account", default=None, help="CSV/XLSX: the new deal's account name.")
@option("--account-type", default=None, help="CSV/XLSX: default: the workspace's first.")
@option("--stage", default=None, help="CSV/XLSX: default: the workspace's first stage.")
@option(
    "--target-date",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="CSV/XLSX: the plan's target date, YYYY-MM-DD (none: a draft).",
)
@option("--target-reason", default="", help="CSV/XLSX: why this date.")
@json_option
@seller_options
def import_(
    file: IO[bytes],
    format_name: str,
    mapping: tuple[str, ...],
    preview: bool,
    save_mapping: bool,
    plan_id: int | None,
    account: str | None,
    account_type: str | None,
    stage: str | None,
    target_date: dt.datetime | None,
    target_reason: str,
    as_json: bool,
    user_email: str,
    workspace: str | None,
    data_dir: str | None,
) -> None:
    """Create a new deal and plan from FILE (- for standard input): all of it, or nothing
    with every bad field (or every bad row, by its line) named."""
    is_sheet = format_name in names(SheetFormat)
    if not is_sheet and (mapping or preview or save_mapping or account or plan_id):
        fail("--map, --preview, --save-mapping, --plan and --account are for --format csv or xlsx")
    if is_sheet and not preview and not account and plan_id is None:
        fail("--account is required to import a spreadsheet (or --plan ID, or --preview)")
    setup_django(data_dir)
    from mutualplan.plans import access
    from mutualplan.plans.seller_view import plan_dict
    from mutualplan.plans.services import imports, sheet_imports
    from mutualplan.plans.sheet_view import preview_dict

    ws, actor = seller_context(user_email, workspace)
    content = file.read()
    plan: Any
    if is_sheet:
        given = _mapping(mapping)
        if preview:
            found = run_action(
                lambda: sheet_imports.preview_sheet_file(ws, content, format_name, given)
            )
            if save_mapping:
                sheet_imports.save_mapping(ws, actor, found)
            if as_json:
                click.echo(dump_json(preview_dict(found)))
            else:
                _show_preview(found)
            if not found.ok:
                sys.exit(2)
            return
        if plan_id is not None:
            existing = run_action(lambda: access.get_plan(ws, plan_id))
            added = run_action(
                lambda: sheet_imports.add_sheet_rows(
                    existing, actor, content, format_name, given, save_mapping
                )
            )
            if as_json:
                click.echo(dump_json(plan_dict(access.get_plan(ws, existing.id))))
            else:
                click.echo(f"Added {len(added)} rows to plan {existing.id}.")
            return
        values = {
            "account_name": account,
            "account_type": account_type,
            "stage": stage,
            "target_date": target_date.date() if target_date else None,
            "target_reason": target_reason,
        }
        fields = run_action(lambda: sheet_imports.plan_fields(ws, values))
        plan = run_action(
            lambda: sheet_imports.import_sheet(
                ws, actor, content, format_name, fields, given, save_mapping
            )
        )
    else:
        plan = run_action(lambda: imports.import_plan_file(ws, actor, content, format_name))
    if as_json:
        click.echo(dump_json(plan_dict(plan)))
        return
    rows = plan.milestones.count()
    click.echo(f"Imported plan {plan.id} for {plan.deal.account_name} ({rows} milestones).")

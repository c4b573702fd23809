"""`mutualplan import-deals`: deals from a Salesforce, HubSpot or other CRM export."""

from __future__ import annotations

import sys
from dataclasses import asdict
from typing import IO, Any

import click

from mutualplan.commands.common import (
    dump_json,
    json_option,
    option,
    run_action,
    seller_context,
    seller_options,
    setup_django,
)

# Below this many deals the import is over before a bar would draw.
BAR_FROM = 1000


class _Bar:
    """A progress bar on standard error, drawn once the import knows how many deals."""

    def __init__(self) -> None:
        self.bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        if total < BAR_FROM:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="Importing deals", file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@click.command("import-deals")
@click.argument("file", type=click.File("rb"))
@option(
    "--source",
    type=click.Choice(["auto", "salesforce", "hubspot", "generic"]),
    default="auto",
    show_default=True,
    help="The CRM that wrote the file (auto: told from its headers).",
)
@option(
    "--map",
    "mapping",
    multiple=True,
    metavar='"Column=field"',
    help="Map a column to a deal field (crm_id, account_name, deal_name, stage, created, "
    "close_date, amount, currency, owner, account_type, industry, ignore); repeat it.",
)
@option(
    "--plans",
    "template",
    default=None,
    metavar="TEMPLATE",
    help="Give each open deal without a plan one from TEMPLATE, targeting its close date.",
)
@option(
    "--account-type",
    default=None,
    help="New deals' account type when the file has none (default: the workspace's first).",
)
@option("--dry-run", is_flag=True, help="Count what would change; save nothing.")
@option(
    "--save-mapping",
    is_flag=True,
    help="Remember the columns for the next file with the same headers (not on a dry run).",
)
@json_option
@seller_options
def import_deals(
    file: IO[bytes],
    source: str,
    mapping: tuple[str, ...],
    template: str | None,
    account_type: str | None,
    dry_run: bool,
    save_mapping: bool,
    as_json: bool,
    user_email: str,
    workspace: str | None,
    data_dir: str | None,
) -> None:
    """Create or update deals from FILE (a CSV or XLSX export; - for standard input) by
    their CRM id: importing the same file again changes nothing. One bad row imports
    nothing, and every bad row is listed with its line."""
    setup_django(data_dir)
    from mutualplan.plans.services import deal_imports

    ws, actor = seller_context(user_email, workspace)
    content = file.read()
    bar = _Bar()
    try:
        result: Any = run_action(
            lambda: deal_imports.import_deals(
                ws,
                actor,
                content,
                source=source,
                mapping=list(mapping),
                create_plans=template is not None,
                template=template or "standard",
                account_type=account_type,
                dry_run=dry_run,
                progress=bar,
                remember=save_mapping,
            )
        )
    finally:
        bar.close()
    if as_json:
        click.echo(dump_json({**asdict(result), "summary": result.summary}))
        return
    click.echo(("Dry run: " if dry_run else "") + result.summary + ".")
    if result.stages_added:
        click.echo("New stages added to the workspace: " + ", ".join(result.stages_added))
    if result.account_types_added:
        click.echo("New account types added: " + ", ".join(result.account_types_added))
    if result.unmatched_owners:
        click.echo(
            f"Owners with no seller here (the deals are {user_email}'s): "
            + ", ".join(result.unmatched_owners)
        )

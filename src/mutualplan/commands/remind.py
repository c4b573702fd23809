"""`mutualplan remind`: today's daily digests now (for cron), sent from this process so that
no queue consumer needs to run; each digest goes out once a day however often it runs, and
two runs at once (on two servers sharing one database) split the digests between them."""

from __future__ import annotations

import click

from mutualplan.commands.common import data_dir_option, fail, option, setup_django


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


@click.command()
@option(
    "--workspace",
    envvar="MUTUALPLAN_WORKSPACE",
    default=None,
    help="Only this workspace (its slug); every workspace by default.",
)
@option(
    "--dry-run",
    is_flag=True,
    envvar="MUTUALPLAN_DRY_RUN",
    help="Show who would get a digest, and send nothing.",
)
@data_dir_option
def remind(workspace: str | None, dry_run: bool, data_dir: str | None) -> None:
    """Send today's daily digests now: each seller's plans, each buyer's own open steps."""
    setup_django(data_dir)
    from mutualplan.digests.models import DigestDelivery
    from mutualplan.digests.services import FAILED, RETRY, SENT, SKIPPED, prepare, send
    from mutualplan.digests.tasks import deliver_digest
    from mutualplan.plans.tasks import retry_delay
    from mutualplan.workspaces.clock import today_for
    from mutualplan.workspaces.models import Workspace

    workspaces = Workspace.objects.order_by("id")
    if workspace:
        workspaces = workspaces.filter(slug=workspace)
        if not workspaces.exists():
            fail(f"no workspace {workspace!r}")
    counts = {SENT: 0, SKIPPED: 0, RETRY: 0, FAILED: 0}
    already = unsubscribed = planned = 0
    for ws in workspaces:
        report = prepare(ws, today_for(ws), dry_run=dry_run)
        already += report.already
        unsubscribed += report.unsubscribed
        for kind, address, items in report.planned:
            planned += 1
            click.echo(f"{ws.slug}: would send the {kind} digest to {address} ({items} items)")
        for delivery_id in report.queued:
            outcome = send(delivery_id)
            if outcome in counts:
                counts[outcome] += 1
            if outcome in (RETRY, FAILED):
                delivery = DigestDelivery.objects.get(id=delivery_id)
                click.echo(f"{ws.slug}: digest to {delivery.recipient}: {delivery.last_error}")
            if outcome == RETRY:
                # The queue's consumer (in `serve` or `worker`) tries again later.
                attempts = DigestDelivery.objects.get(id=delivery_id).attempts
                deliver_digest.schedule(args=(delivery_id,), delay=retry_delay(attempts))
    parts = [
        _plural(planned, "digest would be sent", "digests would be sent")
        if dry_run
        else _plural(counts[SENT], "digest sent", "digests sent"),
        f"{already} already sent today",
        _plural(unsubscribed, "recipient unsubscribed", "recipients unsubscribed"),
    ]
    if counts[RETRY]:
        parts.append(f"{counts[RETRY]} to be retried from the queue")
    if counts[FAILED]:
        parts.append(f"{counts[FAILED]} failed")
    if counts[SKIPPED]:
        parts.append(f"{counts[SKIPPED]} with nothing left to say")
    click.echo(", ".join(parts))
    if counts[FAILED] or counts[RETRY]:
        raise SystemExit(1)

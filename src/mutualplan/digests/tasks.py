"""The digests on the task queue: every 15 minutes, each workspace whose local time is a
weekday at or after MUTUALPLAN_DIGEST_HOUR gets today's digests (a run that finds them sent
sends nothing), and its plans' stored health is brought up to today."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task
from huey.exceptions import RetryTask

from mutualplan.digests.models import DigestDelivery
from mutualplan.digests.services import RETRY, digests_due, lost_digests, prepare, send
from mutualplan.plans.health import refresh_health
from mutualplan.plans.models import Plan
from mutualplan.plans.tasks import retry_delay
from mutualplan.workspaces.clock import date_in
from mutualplan.workspaces.models import Workspace


@db_task()
def deliver_digest(delivery_id: int) -> None:
    """Send one digest; retry with backoff until it is sent or failed for good."""
    if send(delivery_id) == RETRY:
        attempts = DigestDelivery.objects.get(id=delivery_id).attempts
        raise RetryTask(delay=retry_delay(attempts))


def run_workspace(workspace: Workspace, digests: bool = True) -> list[int]:
    """Bring the workspace's stored plan health up to its today (a no-op once done today,
    so the dashboard's first view of the day finds it current), then queue today's digests
    when `digests`; the digests this run queued."""
    today = date_in(workspace, timezone.now())
    refresh_health(workspace, Plan.objects.filter(workspace=workspace), today)
    if not digests:
        return []
    queued = prepare(workspace, today).queued
    for delivery_id in queued:
        deliver_digest(delivery_id)
    return queued


@db_periodic_task(crontab(minute="*/15"))
def daily_digests() -> None:
    """Every 15 minutes: each workspace's health, and its digests when they are due; and
    the digests the queue lost, queued again."""
    now = timezone.now()
    for delivery_id in lost_digests(now):
        deliver_digest(delivery_id)
    for workspace in Workspace.objects.order_by("id"):
        run_workspace(workspace, digests=digests_due(workspace, now))

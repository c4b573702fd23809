"""`step.stale`: an open buyer step with no status update for the workspace's stale days (the
same rule as the plan's escalations), sent once per stale episode of the step."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from mutualplan.core.vocab import PlanStatus
from mutualplan.core.webhooks import WebhookEvent
from mutualplan.plans.diagnostics import plan_escalations
from mutualplan.plans.models import Milestone, Plan
from mutualplan.webhooks.models import StaleStepNotice, WebhookDelivery, WebhookEndpoint
from mutualplan.webhooks.services import emit, enqueue, milestone_dict
from mutualplan.workspaces.clock import today_for

log = logging.getLogger(__name__)

# A delivery still waiting for its first attempt after this long never reached the queue.
STUCK_AFTER = dt.timedelta(minutes=30)
WATCHED_STATUSES = (PlanStatus.DRAFT.value, PlanStatus.ACTIVE.value)


def _workspaces_listening() -> set[int]:
    return {
        e.workspace_id
        for e in WebhookEndpoint.objects.filter(active=True).only("workspace_id", "events")
        if WebhookEvent.STEP_STALE.value in e.events
    }


def _claim(row: Milestone, notice: StaleStepNotice | None) -> bool:
    """Mark the row's current episode as told, unless another worker (several servers each
    run the periodic check) marked it first: an insert that the one-per-row constraint
    refuses, or an update of the marker only while it still holds the value read."""
    if notice is None:
        try:
            with transaction.atomic():
                StaleStepNotice.objects.create(milestone=row, since=row.status_updated_at)
        except IntegrityError:
            return False
        return True
    return bool(
        StaleStepNotice.objects.filter(id=notice.id, since=notice.since).update(
            since=row.status_updated_at, noticed_at=timezone.now()
        )
    )


def emit_stale_steps() -> int:
    """Emit `step.stale` for each stale buyer step not yet told of in its current episode (a
    status update since the last notice starts a new one); how many were emitted."""
    emitted = 0
    plans = (
        Plan.objects.filter(workspace_id__in=_workspaces_listening(), status__in=WATCHED_STATUSES)
        .select_related("workspace", "deal", "deal__owner", "created_by")
        .order_by("id")
    )
    for plan in plans:
        found = plan_escalations(plan, today_for(plan.workspace))
        if not found:
            continue
        rows = Milestone.objects.in_bulk([e.milestone_id for e in found])
        notices = {n.milestone_id: n for n in StaleStepNotice.objects.filter(milestone_id__in=rows)}
        for escalation in found:
            row = rows.get(escalation.milestone_id)
            if row is None:
                continue
            notice = notices.get(row.id)
            if notice is not None and notice.since == row.status_updated_at:
                continue
            with transaction.atomic():
                if not _claim(row, notice):
                    continue  # another worker told of this episode just now
                emit(
                    plan,
                    WebhookEvent.STEP_STALE,
                    milestone_dict(row),
                    {
                        "days_silent": escalation.days_silent,
                        "stale_days": plan.workspace.stale_days,
                        "escalate_to": escalation.escalate_to,
                        "escalate_to_email": escalation.escalate_to_email,
                    },
                )
            emitted += 1
    return emitted


def requeue_stuck() -> int:
    """Hand the queue again the deliveries that never reached it (the queue was down when
    their write committed); how many."""
    stuck = list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.QUEUED,
            attempts=0,
            created_at__lt=timezone.now() - STUCK_AFTER,
        ).values_list("id", flat=True)[:1000]
    )
    if stuck:
        log.warning("webhooks: handing %s waiting deliveries to the queue again", len(stuck))
        enqueue(stuck)
    return len(stuck)

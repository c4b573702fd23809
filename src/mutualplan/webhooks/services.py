"""Writes and reads of webhooks: endpoints added and removed by a workspace's sellers (who
all see every plan of the workspace, as the endpoints do), and
events turned into queued deliveries (sent by `tasks.deliver_webhook` once the write that
caused them has committed, never in the request)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from mutualplan.core.webhooks import WebhookEvent, event_errors, event_for_verb, url_problem
from mutualplan.links import absolute_reverse
from mutualplan.plans.errors import Forbidden, Invalid, NotFound
from mutualplan.plans.models import Activity, Milestone, Plan
from mutualplan.webhooks.models import WebhookDelivery, WebhookEndpoint
from mutualplan.webhooks.network import AddressRefused, resolve
from mutualplan.workspaces.models import Membership, Workspace

log = logging.getLogger(__name__)

# How many deliveries the settings page and the API list per endpoint.
RECENT_DELIVERIES = 20
# Endpoints a workspace may have (each event is one delivery per endpoint).
MAX_ENDPOINTS = 20


def is_member(user: Any, workspace: Workspace) -> bool:
    return Membership.objects.filter(user=user, workspace=workspace).exists()


def endpoints(workspace: Workspace) -> list[WebhookEndpoint]:
    return list(WebhookEndpoint.objects.filter(workspace=workspace))


def get_endpoint(workspace: Workspace, endpoint_id: int) -> WebhookEndpoint:
    """The workspace's endpoint of that id; NotFound for any other (another workspace's too)."""
    found = WebhookEndpoint.objects.filter(workspace=workspace, id=endpoint_id).first()
    if found is None:
        raise NotFound(f"this workspace has no webhook endpoint {endpoint_id}")
    return found


def recent_deliveries(
    endpoint: WebhookEndpoint, limit: int = RECENT_DELIVERIES
) -> list[WebhookDelivery]:
    return list(endpoint.deliveries.all()[:limit])


def check_url(workspace: Workspace, url: str) -> None:
    """Refuse a URL that is not http(s), or whose host is internal and the workspace does not
    allow that; Invalid on `url` says why."""
    problem = url_problem(url)
    if problem:
        raise Invalid.field("url", problem)
    if workspace.allow_private_webhooks:
        return
    try:
        resolve(url, allow_private=False)
    except AddressRefused as refused:
        raise Invalid.field("url", str(refused)) from None


def add_endpoint(user: Any, workspace: Workspace, url: str, events: list[str]) -> WebhookEndpoint:
    """A new endpoint of the workspace, subscribed to `events`. Every bad value is listed and
    nothing is saved."""
    if not is_member(user, workspace):
        raise Forbidden("only a seller of the workspace can add webhook endpoints")
    url = url.strip()
    errors: list[dict[str, str]] = []
    try:
        check_url(workspace, url)
    except Invalid as exc:
        errors.extend(exc.errors)
    problem = event_errors(events)
    if problem:
        errors.append({"field": "events", "message": problem})
    if WebhookEndpoint.objects.filter(workspace=workspace).count() >= MAX_ENDPOINTS:
        errors.append(
            {"field": "url", "message": f"a workspace has at most {MAX_ENDPOINTS} endpoints"}
        )
    if errors:
        raise Invalid("; ".join(f"{e['field']}: {e['message']}" for e in errors), errors)
    # In the vocabulary's order, each once.
    chosen = [e.value for e in WebhookEvent if e.value in set(events)]
    return WebhookEndpoint.objects.create(workspace=workspace, url=url, events=chosen)


def remove_endpoint(user: Any, workspace: Workspace, endpoint_id: int) -> None:
    """Delete one of the workspace's endpoints with its deliveries."""
    if not is_member(user, workspace):
        raise Forbidden("only a seller of the workspace can remove webhook endpoints")
    endpoint = get_endpoint(workspace, endpoint_id)
    endpoint.delete()


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def milestone_dict(row: Milestone, due_date: dt.date | None = None) -> dict[str, Any]:
    """A row as a webhook tells it (no private seller notes)."""
    return {
        "id": row.id,
        "title": row.title,
        "step_type": row.step_type,
        "owner_side": row.owner_side,
        "owner_team": row.owner_team,
        "due_date": _day(due_date if due_date is not None else row.due_date),
        "status": row.status,
    }


def payload(
    delivery_id: str,
    event: str,
    at: dt.datetime,
    plan: Plan,
    milestone: dict[str, Any] | None,
    data: dict[str, Any],
    target_date: dt.date | None = None,
) -> dict[str, Any]:
    return {
        "id": delivery_id,
        "event": event,
        "created_at": at.isoformat(),
        "workspace": plan.workspace.slug,
        "plan": {
            "id": plan.id,
            "account_name": plan.deal.account_name,
            "target_date": _day(target_date or plan.target_date),
            "status": plan.status,
            "url": absolute_reverse("plan", plan.id),
        },
        "milestone": milestone,
        "data": data,
    }


def emit(
    plan: Plan,
    event: WebhookEvent,
    milestone: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
    target_date: dt.date | None = None,
) -> list[WebhookDelivery]:
    """Queue `event` for every active endpoint of the plan's workspace that subscribes to it.
    The deliveries are written with the caller's write (a rolled-back write sends nothing) and
    handed to the queue once it commits."""
    subscribed = [
        e
        for e in WebhookEndpoint.objects.filter(workspace_id=plan.workspace_id, active=True)
        if event.value in e.events
    ]
    if not subscribed:
        return []
    now = timezone.now()
    created = []
    for endpoint in subscribed:
        delivery = WebhookDelivery(endpoint=endpoint, event=event.value, created_at=now)
        delivery.payload = payload(
            str(delivery.uuid), event.value, now, plan, milestone, data or {}, target_date
        )
        created.append(delivery)
    WebhookDelivery.objects.bulk_create(created)
    ids = list(
        WebhookDelivery.objects.filter(uuid__in=[d.uuid for d in created]).values_list(
            "id", flat=True
        )
    )
    transaction.on_commit(lambda: enqueue(ids), robust=True)
    return created


def enqueue(delivery_ids: list[int]) -> None:
    """Hand deliveries to the queue; a queue that is down is logged (the write stands, and
    `requeue_stuck` hands them over again later)."""
    from mutualplan.webhooks.tasks import deliver_webhook

    for delivery_id in delivery_ids:
        try:
            deliver_webhook(delivery_id)
        except Exception:
            log.exception("webhooks: could not queue delivery %s", delivery_id)


# Data of an activity that a webhook does not repeat (private or bookkeeping).
HIDDEN_DATA = frozenset({"private_notes", "risk_checklist"})


def emit_activity(activity: Activity, milestone: Milestone | None) -> None:
    """The webhook event of an activity, if it is one (`core.webhooks.EVENT_OF_VERB`)."""
    event = event_for_verb(activity.verb)
    if event is None:
        return
    data = {k: v for k, v in activity.data.items() if k not in HIDDEN_DATA}
    if isinstance(data.get("values"), dict):
        data["values"] = {k: v for k, v in data["values"].items() if k not in HIDDEN_DATA}
    data["summary"] = activity.summary
    data["actor"] = {"kind": activity.actor_kind, "name": activity.actor_name}
    emit(
        activity.plan,
        event,
        milestone_dict(milestone) if milestone is not None else None,
        data,
    )


def emit_slip(
    plan: Plan,
    milestone: Milestone | None,
    from_date: dt.date | None,
    to_date: dt.date | None,
    days: int,
    reason: str,
    reason_text: str,
    actor_kind: str,
    actor_name: str,
) -> None:
    """`plan.slipped` for a moved due date (with the row) or target date (row null)."""
    data = {
        "moved": "milestone" if milestone is not None else "target_date",
        "from": _day(from_date),
        "to": _day(to_date),
        "days": days,
        "reason_category": reason,
        "reason_text": reason_text,
        "actor": {"kind": actor_kind, "name": actor_name},
    }
    emit(
        plan,
        WebhookEvent.PLAN_SLIPPED,
        milestone_dict(milestone, to_date) if milestone is not None else None,
        data,
        target_date=to_date if milestone is None else None,
    )

"""Background work of webhooks, run by the Huey consumer: each delivery POSTed with retries
and backoff, and the hourly check that emits `step.stale`."""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task
from huey.exceptions import RetryTask

from mutualplan.core.webhooks import sign
from mutualplan.webhooks.models import WebhookDelivery
from mutualplan.webhooks.network import AddressRefused, post, resolve
from mutualplan.webhooks.stale import emit_stale_steps, requeue_stuck

log = logging.getLogger(__name__)

USER_AGENT = "mutualplan-webhooks/1"


def retry_delay(attempts: int) -> int:
    """Seconds before the next attempt: the base delay, doubled for each attempt made."""
    return int(settings.WEBHOOK_RETRY_SECONDS) * 2 ** max(0, attempts - 1)


def body_of(delivery: WebhookDelivery) -> bytes:
    """The exact bytes sent (and signed)."""
    return json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()


def attempt(delivery: WebhookDelivery) -> tuple[int | None, str]:
    """One POST of the delivery: the HTTP status (None when there was no answer) and what went
    wrong ("" on a 2xx). The address is checked again now: DNS may have changed since the
    endpoint was saved."""
    endpoint = delivery.endpoint
    try:
        target = resolve(endpoint.url, endpoint.workspace.allow_private_webhooks)
    except AddressRefused as refused:
        return None, f"refused: {refused}"[:500]
    body = body_of(delivery)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Mutualplan-Event": delivery.event,
        "X-Mutualplan-Delivery": str(delivery.uuid),
        "X-Mutualplan-Signature": sign(endpoint.secret, body),
    }
    try:
        answer = post(target, body, headers, float(settings.WEBHOOK_TIMEOUT_SECONDS))
    except TimeoutError:
        return None, f"no answer within {settings.WEBHOOK_TIMEOUT_SECONDS} s"
    except OSError as error:
        return None, f"could not connect: {error.__class__.__name__}: {error}"[:500]
    except Exception as error:  # a malformed answer (http.client's own errors)
        return None, f"bad answer: {error.__class__.__name__}: {error}"[:500]
    if 200 <= answer.status < 300:
        return answer.status, ""
    snippet = " ".join(answer.body.split())[:200]
    return answer.status, f"answered {answer.status}" + (f": {snippet}" if snippet else "")


@db_task()
def deliver_webhook(delivery_id: int) -> None:
    """Send one queued delivery; retry with backoff; record every attempt."""
    delivery = (
        WebhookDelivery.objects.select_related("endpoint__workspace")
        .filter(id=delivery_id, status=WebhookDelivery.QUEUED)
        .first()
    )
    if delivery is None:  # already settled, or its endpoint was removed
        return
    status, error = attempt(delivery)
    now = timezone.now()
    delivery.attempts += 1
    delivery.response_status = status
    delivery.last_error = error
    delivery.log = [*delivery.log, {"at": now.isoformat(), "status": status, "error": error}]
    if not error:
        delivery.status = WebhookDelivery.SENT
        delivery.delivered_at = now
    elif delivery.attempts >= settings.WEBHOOK_ATTEMPTS:
        delivery.status = WebhookDelivery.FAILED
        log.warning(
            "webhook %s to endpoint %s failed after %s attempts: %s",
            delivery.event,
            delivery.endpoint_id,
            delivery.attempts,
            error,
        )
    delivery.save(
        update_fields=[
            "attempts",
            "response_status",
            "last_error",
            "log",
            "status",
            "delivered_at",
        ]
    )
    if delivery.status == WebhookDelivery.QUEUED:
        raise RetryTask(delay=retry_delay(delivery.attempts))


@db_periodic_task(crontab(minute="7"))
def check_stale_steps() -> None:
    """Hourly: `step.stale` for buyer steps that went stale, and a nudge for deliveries that
    never reached the queue."""
    emit_stale_steps()
    requeue_stuck()

"""Running the day's digests exactly once per recipient, sending one, and unsubscribing.

`prepare` inserts one `DigestDelivery` per recipient per local day; the unique constraint
decides which run (of any process, on any server) owns each digest: only the run whose insert
succeeded queues or sends it. `send` claims the row (queued -> sending, one conditional
UPDATE) before it sends, so a task delivered twice still sends once.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from mutualplan.core.digests import is_digest_time
from mutualplan.digests.models import SELLER, DigestDelivery, DigestOptOut
from mutualplan.digests.reads import Recipient, recipients
from mutualplan.plans.errors import Invalid
from mutualplan.workspaces.clock import zone_of
from mutualplan.workspaces.models import Workspace

log = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "mutualplan.digests.unsubscribe"
# What `send` did: the email went out, nothing was left to say, another run has it, it will
# be retried, or it failed for good.
SENT, SKIPPED, TAKEN, RETRY, FAILED = "sent", "skipped", "taken", "retry", "failed"


@dataclass
class RunReport:
    """What one run of a workspace's digests found."""

    queued: list[int] = field(default_factory=list)
    already: int = 0
    unsubscribed: int = 0
    # With dry_run: the digests a real run would queue, as (kind, address, items).
    planned: list[tuple[str, str, int]] = field(default_factory=list)


def digests_due(workspace: Workspace, now: dt.datetime) -> bool:
    """Whether the workspace's digests go out now: a weekday, at or after the digest hour."""
    return is_digest_time(now.astimezone(zone_of(workspace.time_zone)), settings.DIGEST_HOUR)


def items(recipient: Recipient) -> int:
    """How many things the digest lists."""
    total = 0
    for part in recipient.digest.plans:
        for name in ("overdue", "due_soon", "escalations", "later", "changed"):
            total += len(getattr(part, name, ()))
        total += getattr(part, "not_reviewed_days", None) is not None
    return total


def opted_out(workspace: Workspace) -> set[tuple[str, str]]:
    return set(DigestOptOut.objects.filter(workspace=workspace).values_list("kind", "address"))


def prepare(workspace: Workspace, today: dt.date, dry_run: bool = False) -> RunReport:
    """Insert today's digest rows; the report lists the ones this run inserted (and so owns).
    Safe to run at once in several processes: each digest is owned by exactly one of them."""
    report = RunReport()
    out = opted_out(workspace)
    done = set(
        DigestDelivery.objects.filter(workspace=workspace, day=today).values_list(
            "kind", "recipient"
        )
    )
    for recipient in recipients(workspace, today):
        key = (recipient.kind, recipient.address)
        if key in out:
            report.unsubscribed += 1
            continue
        if key in done:
            report.already += 1
            continue
        if dry_run:
            report.planned.append((recipient.kind, recipient.address, items(recipient)))
            continue
        try:
            with transaction.atomic():
                row = DigestDelivery.objects.create(
                    workspace=workspace,
                    day=today,
                    recipient=recipient.address,
                    kind=recipient.kind,
                    user=recipient.user,
                )
        except IntegrityError:  # another run got there first: it sends this one
            report.already += 1
            continue
        report.queued.append(row.id)
    return report


def claim(delivery_id: int) -> bool:
    """Take a queued digest for sending; False when another send has it, or it is done."""
    return bool(
        DigestDelivery.objects.filter(id=delivery_id, status=DigestDelivery.QUEUED).update(
            status=DigestDelivery.SENDING,
            attempts=F("attempts") + 1,
            last_attempt_at=timezone.now(),
        )
    )


def send(delivery_id: int) -> str:
    """Send one digest (re-read as of its day) if this call claims it; record the outcome."""
    from mutualplan.digests.emails import digest_email
    from mutualplan.plans.tasks import reason, retry_delay

    if not claim(delivery_id):
        return TAKEN
    delivery = DigestDelivery.objects.select_related("workspace").get(id=delivery_id)
    try:
        found = recipients(delivery.workspace, delivery.day, delivery.kind, delivery.recipient)
        recipient = found[0] if found else None
        if recipient is None:
            delivery.status = DigestDelivery.SKIPPED
            delivery.save(update_fields=["status"])
            return SKIPPED
        email = digest_email(delivery, recipient)
        delivery.subject = str(email.subject)[:300]
        email.send()
    except Exception as error:
        delivery.last_error = reason(error)
        delivery.status = (
            DigestDelivery.FAILED
            if delivery.attempts >= settings.EMAIL_ATTEMPTS
            else DigestDelivery.QUEUED
        )
        delivery.next_attempt_at = timezone.now() + dt.timedelta(
            seconds=retry_delay(delivery.attempts)
        )
        delivery.save(update_fields=["status", "last_error", "subject", "next_attempt_at"])
        if delivery.status == DigestDelivery.FAILED:
            log.warning(
                "digest %s to %s failed after %s attempts: %s",
                delivery.id,
                delivery.kind,
                delivery.attempts,
                delivery.last_error,
            )
            return FAILED
        return RETRY
    delivery.status = DigestDelivery.SENT
    delivery.sent_at = timezone.now()
    delivery.last_error = ""
    delivery.save(update_fields=["status", "sent_at", "last_error", "subject"])
    return SENT


def lost_digests(now: dt.datetime) -> list[int]:
    """Put back the digests the queue lost (see queue.lost_rows); the ids to queue again. One
    lost for more than a day is not news any more: failed, saying so."""
    from mutualplan.queue import lost_rows

    DigestDelivery.objects.filter(
        status__in=[DigestDelivery.QUEUED, DigestDelivery.SENDING],
        day__lt=(now - dt.timedelta(days=1)).date(),
    ).update(
        status=DigestDelivery.FAILED, last_error="lost by the task queue and not sent in its day"
    )
    return lost_rows(DigestDelivery, now)


def unsubscribe_token(delivery: DigestDelivery) -> str:
    """The signed token of a digest's unsubscribe link: the authority to unsubscribe."""
    return signing.dumps({"d": delivery.id}, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> DigestDelivery:
    """The digest an unsubscribe token was made for; Invalid when tampered with or unknown."""
    try:
        found = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        found = None
    delivery_id = found.get("d") if isinstance(found, dict) else None
    delivery = (
        DigestDelivery.objects.select_related("workspace").filter(id=delivery_id).first()
        if isinstance(delivery_id, int)
        else None
    )
    if delivery is None:
        raise Invalid.field("token", "this unsubscribe link is not valid (it may be incomplete)")
    return delivery


def unsubscribe(workspace: Workspace, address: str, kind: str) -> None:
    """No more digests of this kind to this address from this workspace (idempotent)."""
    DigestOptOut.objects.bulk_create(
        [DigestOptOut(workspace=workspace, address=address.lower(), kind=kind)],
        ignore_conflicts=True,
    )


def is_subscribed(workspace: Workspace, address: str, kind: str) -> bool:
    return not DigestOptOut.objects.filter(
        workspace=workspace, address=address.lower(), kind=kind
    ).exists()


def set_seller_digest(user: Any, workspace: Workspace, on: bool) -> None:
    """A seller turns their own daily digest on or off."""
    if on:
        DigestOptOut.objects.filter(
            workspace=workspace, address=user.email.lower(), kind=SELLER
        ).delete()
    else:
        unsubscribe(workspace, user.email, SELLER)

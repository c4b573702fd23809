""" "Send to buyer": record the plan as a version sent, give each recipient a share link of
their own, and queue one email per recipient. The request returns at once; the emails go out
from the queue (plans.tasks), each a row (EmailDelivery) that ends sent or failed with its
reason."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from mutualplan.plans.actors import Actor
from mutualplan.plans.errors import Invalid
from mutualplan.plans.models import EmailDelivery, Plan, PlanVersion
from mutualplan.plans.queries import buyer_contributed
from mutualplan.plans.services import sharing, versions
from mutualplan.plans.services.revisions import Revision, revision_of

MAX_RECIPIENTS = 20
MAX_MESSAGE = 5000
# Kept word for word from the plan page's warning (web/views/plans.py).
BUILT_ALONE_WARNING = (
    "The buyer has not added or changed anything in this plan yet. A plan handed over for "
    "sign-off is your schedule, not a shared one: build it with the champion first."
)


@dataclass(frozen=True)
class Sent:
    version: PlanVersion
    deliveries: list[EmailDelivery]
    warning: str  # blank unless nothing came from the buyer side yet
    # A plan sent before goes out as a revised version: what changed since the last one.
    revision: Revision | None


def clean_recipients(recipients: Sequence[str]) -> list[str]:
    """Each address once (case-insensitively), in the order given; every one valid."""
    found: dict[str, str] = {}
    for raw in recipients:
        address = str(raw).strip()
        if not address:
            continue
        try:
            validate_email(address)
        except ValidationError:
            raise Invalid.field(
                "recipients", f"{address[:100]!r} is not an email address"
            ) from None
        found.setdefault(address.lower(), address)
    if not found:
        raise Invalid.field("recipients", "name at least one email address to send the plan to")
    if len(found) > MAX_RECIPIENTS:
        raise Invalid.field("recipients", f"send to at most {MAX_RECIPIENTS} people at once")
    return list(found.values())


def send_to_buyer(plan: Plan, actor: Actor, recipients: Sequence[str], message: str) -> Sent:
    """Snapshot the plan, create a share link per recipient and queue their emails: a
    revised version (what changed first) when a version was sent before.

    A new link per recipient rather than a shared one: only a link's hash is stored, so an
    existing link cannot be put in an email, and a link of one's own shows the seller who
    opened the plan from the email and can be revoked for that one person. Its token is
    derived from the server's secret (`sharing.link_token`), so a lost email is sent again
    with the same link.
    """
    from mutualplan.plans.tasks import deliver_plan_email

    addresses = clean_recipients(recipients)
    if len(message) > MAX_MESSAGE:
        raise Invalid.field("message", f"at most {MAX_MESSAGE} characters")
    warning = "" if buyer_contributed(plan) else BUILT_ALONE_WARNING
    with transaction.atomic():
        version = versions.send_version(plan, actor, message)
        revision = revision_of(version)
        kind = EmailDelivery.PLAN if revision is None else EmailDelivery.REVISION
        deliveries = []
        for address in addresses:
            link, _ = sharing.create_share_link(
                plan, actor, label=f"emailed to {address}", emailed=True
            )
            delivery = EmailDelivery.objects.create(
                plan=plan,
                version=version,
                share_link=link,
                kind=kind,
                recipient=address,
                message=message,
                created_by=actor.user,
            )
            deliveries.append(delivery)
            # The task derives the link again from the delivery's share link: the token is
            # stored nowhere, not even in the queue.
            transaction.on_commit(
                lambda d=delivery.id: deliver_plan_email(d)  # type: ignore[misc]
            )
    return Sent(version=version, deliveries=deliveries, warning=warning, revision=revision)

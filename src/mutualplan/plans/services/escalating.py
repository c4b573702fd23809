"""Sending an escalation from the app: the drafted email of a stale buyer step (as edited by
the seller) goes to one person on the buyer's side through the queue, with a share link of
their own, and is recorded on the plan (an EmailDelivery of kind "escalation" and an
activity). Only what the buyer may see goes out: the seller's text and the link."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from mutualplan.core.escalations import Escalation
from mutualplan.core.vocab import ActivityVerb
from mutualplan.plans import access
from mutualplan.plans.actors import Actor
from mutualplan.plans.diagnostics import plan_escalations
from mutualplan.plans.errors import Invalid
from mutualplan.plans.models import EmailDelivery, Milestone, Plan
from mutualplan.plans.services import sharing
from mutualplan.plans.services.history import record
from mutualplan.workspaces.clock import today_for

MAX_SUBJECT = 300  # EmailDelivery.subject
MAX_BODY = 5000
MAX_ADDRESS = 254


def current_escalation(plan: Plan, milestone_id: int) -> tuple[Milestone, Escalation]:
    """The escalation of that row today; 404 for a row not in the plan, 400 for a row that is
    not escalated (not a buyer step, done, or updated within the workspace's stale days)."""
    row = access.get_milestone(plan, milestone_id)
    today = today_for(plan.workspace)
    for escalation in plan_escalations(plan, today):
        if escalation.milestone_id == row.id:
            return row, escalation
    raise Invalid.field(
        "milestone_id",
        f"'{row.title[:100]}' is not escalated: only an open buyer step with no status update "
        f"for {plan.workspace.stale_days} days or more can be escalated",
    )


def clean_address(raw: str | None, escalation: Escalation) -> str:
    """One email address: the one given, else the escalation's contact."""
    address = (escalation.escalate_to_email if raw is None else str(raw)).strip()
    if not address:
        if raw is None:
            raise Invalid.field(
                "to",
                f"there is no email address to escalate to: {escalation.escalate_to} has none; "
                "add the champion's or executive sponsor's email, or name the address",
            )
        raise Invalid.field("to", "name the email address to send the escalation to")
    if "," in address or ";" in address:
        raise Invalid.field("to", "send an escalation to one email address only")
    if len(address) > MAX_ADDRESS:
        raise Invalid.field("to", f"at most {MAX_ADDRESS} characters")
    try:
        validate_email(address)
    except ValidationError:
        raise Invalid.field("to", f"{address[:100]!r} is not an email address") from None
    return address


def clean_subject(raw: str | None, escalation: Escalation) -> str:
    subject = (escalation.subject if raw is None else str(raw)).strip()
    if not subject:
        raise Invalid.field("subject", "write a subject")
    if "\n" in subject or "\r" in subject:
        raise Invalid.field("subject", "one line: no line breaks in a subject")
    if len(subject) > MAX_SUBJECT:
        raise Invalid.field("subject", f"at most {MAX_SUBJECT} characters")
    return subject


def clean_body(raw: str | None, escalation: Escalation) -> str:
    body = (escalation.body if raw is None else str(raw)).replace("\r\n", "\n").strip()
    if not body:
        raise Invalid.field("body", "write the email")
    if len(body) > MAX_BODY:
        raise Invalid.field("body", f"at most {MAX_BODY} characters")
    return body


def send_escalation(
    plan: Plan,
    actor: Actor,
    milestone_id: int,
    to: str | None = None,
    subject: str | None = None,
    body: str | None = None,
) -> EmailDelivery:
    """Queue the escalation email of a stale buyer step; None takes the draft's value.

    Everything is checked before anything is written. The recipient gets a share link of their
    own (as "Send to buyer" gives one), derived again by the task that sends it.
    """
    from mutualplan.plans.tasks import deliver_plan_email

    row, escalation = current_escalation(plan, milestone_id)
    address = clean_address(to, escalation)
    subject = clean_subject(subject, escalation)
    body = clean_body(body, escalation)
    with transaction.atomic():
        link, _ = sharing.create_share_link(
            plan, actor, label=f"escalation emailed to {address}", emailed=True
        )
        delivery = EmailDelivery.objects.create(
            plan=plan,
            milestone=row,
            share_link=link,
            kind=EmailDelivery.ESCALATION,
            recipient=address,
            subject=subject,
            message=body,
            created_by=actor.user,
        )
        record(
            plan,
            actor,
            ActivityVerb.ESCALATION_SENT,
            f"escalated '{escalation.title}' to {address}",
            milestone=row,
            data={
                "title": escalation.title,
                "to": address,
                "delivery_id": delivery.id,
                "days_silent": escalation.days_silent,
            },
        )
        transaction.on_commit(lambda: deliver_plan_email(delivery.id))
    return delivery


def last_escalations(plan: Plan) -> dict[int, EmailDelivery]:
    """The latest escalation email of each row of the plan, by row id. One query."""
    found: dict[int, EmailDelivery] = {}
    deliveries = EmailDelivery.objects.filter(
        plan=plan, kind=EmailDelivery.ESCALATION, milestone__isnull=False
    ).order_by("created_at", "id")
    for delivery in deliveries:
        assert delivery.milestone_id is not None
        found[delivery.milestone_id] = delivery
    return found

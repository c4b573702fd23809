"""The escalation email: the seller's subject and text about a stale buyer step, and a share
link of the recipient's own, in HTML with a plain-text part. Nothing else of the plan goes in:
the seller wrote what the reader sees, and the link opens only the buyer's view."""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from mutualplan.mail.plan_email import sender
from mutualplan.plans.buyer_view import seller_contact
from mutualplan.plans.models import EmailDelivery


def escalation_email(delivery: EmailDelivery, link: str) -> EmailMultiAlternatives:
    """The message of one queued escalation (`delivery.kind == "escalation"`)."""
    plan = delivery.plan
    contact = seller_contact(plan)
    context = {
        "subject": delivery.subject,
        "body": delivery.message,
        "link": link,
        "account_name": plan.deal.account_name,
        "workspace_name": plan.workspace.name,
    }
    email = EmailMultiAlternatives(
        subject=delivery.subject,
        body=render_to_string("email/escalation.txt", context),
        from_email=sender(plan),
        to=[delivery.recipient],
        # The email the seller chose to show the buyer (never their login address).
        reply_to=[contact.email] if contact.email else None,
    )
    email.attach_alternative(render_to_string("email/escalation.html", context), "text/html")
    return email

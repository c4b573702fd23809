"""The "Send to buyer" email: the seller's message, the share link and a short summary of the
plan, in HTML with a plain-text part. Built from the buyer read model (plans.buyer_view) only,
so it holds nothing the buyer page would not show (no amount, stage or private notes)."""

from __future__ import annotations

from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from mutualplan.core.vocab import MilestoneStatus, OwnerSide
from mutualplan.plans.buyer_view import buyer_plan
from mutualplan.plans.models import Plan


def sender(plan: Plan) -> str:
    """The workspace's name as the sender's name, at the configured address."""
    return formataddr((plan.workspace.name, settings.DEFAULT_FROM_EMAIL))


def plan_email(plan: Plan, recipient: str, message: str, link: str) -> EmailMultiAlternatives:
    view = buyer_plan(plan)
    open_rows = [m for m in view.milestones if m.status != MilestoneStatus.DONE]
    context = {
        "plan": view,
        "workspace_name": plan.workspace.name,
        "message": message,
        "link": link,
        "next_steps": open_rows[:5],
        "more_steps": max(0, len(open_rows) - 5),
        "buyer_side": OwnerSide.BUYER,
    }
    subject = f"Our mutual action plan: {view.account_name} and {plan.workspace.name}"
    email = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("email/plan_sent.txt", context),
        from_email=sender(plan),
        to=[recipient],
        reply_to=[view.seller_contact.email] if view.seller_contact.email else None,
    )
    email.attach_alternative(render_to_string("email/plan_sent.html", context), "text/html")
    return email

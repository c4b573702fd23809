"""The "please confirm again" email to the champion: the rows they confirmed that changed
since, as the buyer sees them (buyer read model), with a share link of their own."""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from mutualplan.documents import owner_label
from mutualplan.mail.plan_email import sender
from mutualplan.plans.buyer_view import buyer_plan
from mutualplan.plans.models import EmailDelivery
from mutualplan.plans.services.reconfirm import awaiting_confirmation


def confirm_again_email(delivery: EmailDelivery, link: str) -> EmailMultiAlternatives:
    """Ask the delivery's recipient to confirm again the rows changed since the last time
    they were asked, and remind them of any still waiting from before."""
    plan = delivery.plan
    view = buyer_plan(plan)
    changed, older = awaiting_confirmation(delivery)
    rows = [{"row": m, "owner": owner_label(m)} for m in view.milestones if m.id in changed]
    count = len(rows)
    context = {
        "plan": view,
        "workspace_name": plan.workspace.name,
        "link": link,
        "rows": rows,
        "still_waiting": [m for m in view.milestones if m.id in older],
    }
    steps = "a changed step" if count == 1 else f"{count} changed steps"
    email = EmailMultiAlternatives(
        subject=f"Please confirm again: {steps} in our mutual action plan with "
        f"{plan.workspace.name}",
        body=render_to_string("email/confirm_again.txt", context),
        from_email=sender(plan),
        to=[delivery.recipient],
        reply_to=[view.seller_contact.email] if view.seller_contact.email else None,
    )
    email.attach_alternative(render_to_string("email/confirm_again.html", context), "text/html")
    return email

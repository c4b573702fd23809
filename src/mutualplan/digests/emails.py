"""The digest emails, in HTML with a plain-text part, with an unsubscribe link and the
`List-Unsubscribe` headers (one-click, RFC 8058). The buyer's holds only buyer-visible
things (PRODUCT.md, "What the buyer sees"): account names, target dates, the rows' titles,
owners, due dates and statuses, and the link to the plan's buyer page."""

from __future__ import annotations

from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from mutualplan.core.digests import BuyerDigest
from mutualplan.digests.models import SELLER, DigestDelivery
from mutualplan.digests.reads import Recipient
from mutualplan.digests.services import unsubscribe_token
from mutualplan.links import absolute_reverse
from mutualplan.plans.services.sharing import share_url, standing_share_link


def digest_email(delivery: DigestDelivery, recipient: Recipient) -> EmailMultiAlternatives:
    workspace = delivery.workspace
    unsubscribe = absolute_reverse("digest_unsubscribe", unsubscribe_token(delivery))
    if recipient.kind == SELLER:
        links = {pid: absolute_reverse("plan", pid) for pid in recipient.plans}
        count = len(recipient.digest.plans)
        subject = f"Your plans today: {count} with something to act on"
        template = "email/digest_seller"
    else:
        assert isinstance(recipient.digest, BuyerDigest)
        links = {
            pid: share_url(standing_share_link(plan, recipient.address)[1])
            for pid, plan in recipient.plans.items()
        }
        subject = f"Your open steps in the plan with {workspace.name}"
        template = "email/digest_buyer"
    context = {
        "digest": recipient.digest,
        "parts": [(part, links[part.plan_id]) for part in recipient.digest.plans],
        "name": recipient.name,
        "workspace_name": workspace.name,
        "day": delivery.day,
        "unsubscribe": unsubscribe,
    }
    email = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template}.txt", context),
        from_email=formataddr((workspace.name, settings.DEFAULT_FROM_EMAIL)),
        to=[recipient.address],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    email.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return email

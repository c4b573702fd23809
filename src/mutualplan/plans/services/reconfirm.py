"""Asking the champion again: a confirmed row whose date or owner changed is unconfirmed
(`core.row_edits`), and the champion gets one "please confirm again" email listing such rows.

Debounced: each change schedules a check `RECONFIRM_DELAY_SECONDS` later; the check sends
one email for every row unconfirmed since the last such email, and at most one email per
plan per delay window, so a seller moving several dates in a row sends one email.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from mutualplan.core.vocab import StakeholderRole
from mutualplan.plans.actors import SYSTEM
from mutualplan.plans.models import Confirmation, EmailDelivery, Milestone, Plan, Stakeholder
from mutualplan.plans.services import sharing


def ask_again_later(plan_id: int) -> None:
    """Schedule the check of `plan_id`'s unconfirmed rows once the write commits."""
    from mutualplan.plans.tasks import ask_to_confirm_again

    delay = int(settings.RECONFIRM_DELAY_SECONDS)
    transaction.on_commit(lambda: ask_to_confirm_again.schedule((plan_id,), delay=delay))


def champion_address(plan: Plan) -> str:
    """Whom to ask: the plan's champion with an email, else the last buyer who confirmed."""
    champion = (
        Stakeholder.objects.filter(deal_id=plan.deal_id)
        .filter(Q(is_champion=True) | Q(role=StakeholderRole.CHAMPION))
        .exclude(email="")
        .order_by("id")
        .first()
    )
    if champion is not None:
        return champion.email
    last = Confirmation.objects.filter(plan=plan).exclude(buyer_email="").order_by("-id").first()
    return last.buyer_email if last is not None else ""


def awaiting_confirmation(delivery: EmailDelivery) -> tuple[set[int], set[int]]:
    """The ids of the rows a "confirm again" email asks about: those changed since the
    previous such email, and those still waiting from before it."""
    previous = (
        EmailDelivery.objects.filter(
            plan_id=delivery.plan_id,
            kind=EmailDelivery.RECONFIRM,
            created_at__lt=delivery.created_at,
        )
        .order_by("-created_at", "-id")
        .first()
    )
    awaiting = Milestone.objects.filter(
        plan_id=delivery.plan_id, confirmed_at__isnull=True, unconfirmed_at__isnull=False
    ).values_list("id", "unconfirmed_at")
    changed = {
        i for i, at in awaiting if previous is None or (at is not None and at > previous.created_at)
    }
    return changed, {i for i, _ in awaiting} - changed


@dataclass(frozen=True)
class Request:
    delivery: EmailDelivery
    link: str  # the recipient's own share link (its token is never stored)


@transaction.atomic
def request_confirmation_again(plan_id: int, now: dt.datetime | None = None) -> Request | None:
    """Queue the "please confirm again" email of rows unconfirmed since the last one, unless
    one went out within the delay window or no one can be asked. None when nothing to send."""
    plan = Plan.objects.select_for_update().filter(id=plan_id).first()
    if plan is None:
        return None
    now = now or timezone.now()
    last = (
        EmailDelivery.objects.filter(plan=plan, kind=EmailDelivery.RECONFIRM)
        .order_by("-created_at", "-id")
        .first()
    )
    rows = plan.milestones.filter(confirmed_at__isnull=True, unconfirmed_at__isnull=False)
    if last is not None:
        window = dt.timedelta(seconds=int(settings.RECONFIRM_DELAY_SECONDS))
        if now - last.created_at < window:
            # A change after `last` scheduled its own check, which falls after the window.
            return None
        rows = rows.filter(unconfirmed_at__gt=last.created_at)
    if not rows.exists():
        return None
    recipient = champion_address(plan)
    if not recipient:
        return None
    link, token = sharing.create_share_link(
        plan, SYSTEM, label=f"emailed to {recipient} to confirm again", emailed=True
    )
    delivery = EmailDelivery.objects.create(
        plan=plan,
        share_link=link,
        kind=EmailDelivery.RECONFIRM,
        recipient=recipient,
        created_at=now,
    )
    return Request(delivery, sharing.share_url(token))

"""Share links: the buyer's way into exactly one plan."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from mutualplan.core.vocab import ActivityVerb
from mutualplan.links import absolute_reverse
from mutualplan.plans.actors import SYSTEM, Actor
from mutualplan.plans.errors import Invalid
from mutualplan.plans.models import BuyerVisit, BuyerVisitor, Plan, ShareLink
from mutualplan.plans.services.history import record
from mutualplan.workspaces.clock import date_in
from mutualplan.workspaces.models import hash_token


def share_url(token: str) -> str:
    """The link the seller hands to the buyer (shown once, never stored)."""
    return absolute_reverse("shared_plan", token)


@transaction.atomic
def create_share_link(
    plan: Plan,
    actor: Actor,
    expires_at: dt.datetime | None = None,
    label: str = "",
    *,
    emailed: bool = False,
) -> tuple[ShareLink, str]:
    """A new unguessable link; the token is returned once and only its hash is kept.

    An `emailed` link's token is derived from the server's secret and a salt kept on the link
    (`link_token`), so that an email the queue lost can be sent again with its own link."""
    if expires_at is not None:
        if timezone.is_naive(expires_at):
            expires_at = timezone.make_aware(expires_at, dt.UTC)
        if expires_at <= timezone.now():
            raise Invalid.field("expires_at", "the expiry must be in the future")
    salt = secrets.token_hex(16) if emailed else ""
    token = derived_token(salt) if emailed else secrets.token_urlsafe(32)
    link = ShareLink.objects.create(
        plan=plan,
        token_hash=hash_token(token),
        prefix=token[:6],
        label=label,
        salt=salt,
        created_by=actor.user,
        expires_at=expires_at,
    )
    record(
        plan,
        actor,
        ActivityVerb.SHARE_LINK_CREATED,
        f"created a share link{' (' + label + ')' if label else ''}",
        data={
            "share_link_id": link.id,
            "expires_at": expires_at.isoformat() if expires_at else None,
        },
    )
    return link, token


def derived_token(salt: str) -> str:
    """A standing link's token: an HMAC of its salt under the server's secret, as long and as
    unguessable as a random one."""
    mac = hmac.new(
        str(settings.SECRET_KEY).encode(), f"share-link:{salt}".encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def link_token(link: ShareLink) -> str | None:
    """The token of a link made with a salt (emailed or standing), derived again; None for a
    link whose token was random (never kept) or made under another secret key."""
    if not link.salt:
        return None
    token = derived_token(link.salt)
    return token if hmac.compare_digest(hash_token(token), link.token_hash) else None


def standing_label(email: str) -> str:
    return f"daily digest for {email.lower()}"


@transaction.atomic
def standing_share_link(plan: Plan, email: str) -> tuple[ShareLink, str]:
    """The link of the emails one buyer gets every day (the digest): made once and reused,
    its token re-derived from the server's secret and a salt kept on the link, so no token
    is stored and no new link is made each day. A revoked or expired one (or one made under
    another secret) is replaced by a new one; revoking still cuts off the old link."""
    label = standing_label(email)
    for link in ShareLink.objects.filter(plan=plan, label=label).exclude(salt="").order_by("-id"):
        token = link_token(link)
        if link.is_usable() and token is not None:
            return link, token
    return create_share_link(plan, SYSTEM, label=label, emailed=True)


@transaction.atomic
def revoke_share_link(link: ShareLink, actor: Actor) -> ShareLink:
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        record(
            link.plan,
            actor,
            ActivityVerb.SHARE_LINK_REVOKED,
            "revoked a share link",
            data={"share_link_id": link.id},
        )
    return link


def note_link_used(link: ShareLink) -> None:
    """Remember when a link was last used, at most once a minute per link."""
    now = timezone.now()
    if link.last_used_at is None or now - link.last_used_at > dt.timedelta(minutes=1):
        ShareLink.objects.filter(id=link.id).update(last_used_at=now)
        link.last_used_at = now


def visit_day(now: dt.datetime, plan: Plan) -> dt.date:
    """The day a visit counts for, in the plan's workspace's time zone."""
    return date_in(plan.workspace, now)


def note_buyer_visit(link: ShareLink, name: str, email: str) -> None:
    """Count that this named buyer opened the plan today: one `BuyerVisit` per buyer per day.

    Cheap on every page view: one read when today is already counted (and at most one small
    update a minute); never an error when two tabs count the same day at once.
    """
    now = timezone.now()
    day = visit_day(now, link.plan)
    email = email.lower()
    visitor = BuyerVisitor.objects.filter(share_link=link, email=email).first()
    if visitor is None:
        try:
            with transaction.atomic():
                visitor = BuyerVisitor.objects.create(
                    share_link=link,
                    email=email,
                    name=name,
                    first_seen_at=now,
                    last_seen_at=now,
                    writes=0,
                )
        except IntegrityError:  # the same buyer's other tab got there first
            visitor = BuyerVisitor.objects.filter(share_link=link, email=email).first()
            if visitor is None:
                return
    elif visitor.last_visit_on == day:
        if now - visitor.last_seen_at > dt.timedelta(minutes=1):
            BuyerVisitor.objects.filter(id=visitor.id).update(last_seen_at=now)
        return
    BuyerVisit.objects.bulk_create(
        [BuyerVisit(share_link=link, visitor=visitor, day=day, first_at=now)],
        ignore_conflicts=True,
    )
    BuyerVisitor.objects.filter(id=visitor.id).update(last_seen_at=now, last_visit_on=day)
    # A first visit of the day may end `buyer_silent`: the dashboard's stored health of this
    # plan is recomputed at its next view (plans.health keys it on the day and on activity).
    Plan.objects.filter(id=link.plan_id).update(health_on=None)

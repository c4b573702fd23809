"""Calendar feeds: secret subscription URLs to a plan's dates, or to all of a seller's plans.

Like share links, the token is returned once and only its hash is kept; a feed is revoked,
never deleted, so the list shows what was handed out.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.utils import timezone

from mutualplan.core.vocab import ActivityVerb
from mutualplan.links import absolute_reverse
from mutualplan.plans.actors import Actor
from mutualplan.plans.models import CalendarFeed, Plan
from mutualplan.plans.services.history import record
from mutualplan.workspaces.models import Workspace, hash_token


def feed_url(token: str) -> str:
    """The address a calendar app subscribes to (shown once, never stored)."""
    return absolute_reverse("calendar_feed", token)


def _create(workspace: Workspace, actor: Actor, plan: Plan | None) -> tuple[CalendarFeed, str]:
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(
        workspace=workspace,
        plan=plan,
        user=None if plan is not None else actor.user,
        token_hash=hash_token(token),
        prefix=token[:6],
        created_by=actor.user,
    )
    return feed, token


@transaction.atomic
def create_plan_feed(plan: Plan, actor: Actor) -> tuple[CalendarFeed, str]:
    """A feed of one plan's dates, safe to hand to the buyer (it holds only what they see);
    recorded in the plan's activity (the seller's alone), like a share link."""
    feed, token = _create(plan.workspace, actor, plan)
    record(
        plan,
        actor,
        ActivityVerb.CALENDAR_FEED_CREATED,
        "created a calendar feed",
        data={"calendar_feed_id": feed.id},
    )
    return feed, token


@transaction.atomic
def create_seller_feed(workspace: Workspace, actor: Actor) -> tuple[CalendarFeed, str]:
    """A feed of every open plan (active, draft, paused) the acting seller owns."""
    return _create(workspace, actor, None)


@transaction.atomic
def revoke_calendar_feed(feed: CalendarFeed, actor: Actor) -> CalendarFeed:
    """Stop the feed at once; revoking twice keeps the first time. A plan's feed being
    revoked is recorded in the plan's activity."""
    if feed.revoked_at is None:
        feed.revoked_at = timezone.now()
        changed = CalendarFeed.objects.filter(id=feed.id, revoked_at__isnull=True).update(
            revoked_at=feed.revoked_at
        )
        if changed and feed.plan is not None:
            record(
                feed.plan,
                actor,
                ActivityVerb.CALENDAR_FEED_REVOKED,
                "revoked a calendar feed",
                data={"calendar_feed_id": feed.id},
            )
    return feed


def note_feed_used(feed: CalendarFeed) -> None:
    """Remember when a calendar last fetched the feed, at most once a minute per feed."""
    now = timezone.now()
    if feed.last_used_at is None or now - feed.last_used_at > dt.timedelta(minutes=1):
        CalendarFeed.objects.filter(id=feed.id).update(last_used_at=now)
        feed.last_used_at = now

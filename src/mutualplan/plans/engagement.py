"""Buyer engagement, for the seller only: who on the buyer side opened the plan, how often,
and when the buyer side was last seen at all (a visit or a change). Never on the buyer side."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, Protocol

from django.db.models import Count, Max, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest

from mutualplan.plans.models import BuyerVisitor, Plan


class _PlanLike(Protocol):
    id: int
    last_buyer_activity_at: dt.datetime | None


def _latest(*moments: dt.datetime | None) -> dt.datetime | None:
    known = [m for m in moments if m is not None]
    return max(known) if known else None


def last_buyer_seen_by_plan(plans: Iterable[_PlanLike]) -> dict[int, dt.datetime | None]:
    """For each plan, the latest moment anyone on the buyer side opened or changed it (None:
    never). One query however many plans."""
    plans = list(plans)
    seen = dict(
        BuyerVisitor.objects.filter(share_link__plan_id__in=[p.id for p in plans])
        .order_by()
        .values("share_link__plan_id")
        .annotate(latest=Max("last_seen_at"))
        .values_list("share_link__plan_id", "latest")
    )
    return {p.id: _latest(p.last_buyer_activity_at, seen.get(p.id)) for p in plans}


def last_buyer_seen(plan: _PlanLike) -> dt.datetime | None:
    """The latest moment anyone on the buyer side opened or changed the plan (None: never)."""
    return last_buyer_seen_by_plan([plan])[plan.id]


def with_last_buyer_seen(plans: QuerySet[Plan]) -> QuerySet[Plan]:
    """Plans annotated with `buyer_seen_at`, the same moment as `last_buyer_seen`, read in
    the plan query itself (no query more for a list)."""
    visitors = (
        BuyerVisitor.objects.filter(share_link__plan_id=OuterRef("pk"))
        .order_by()
        .values("share_link__plan_id")
        .annotate(latest=Max("last_seen_at"))
        .values("latest")
    )
    visited = Subquery(visitors)
    activity = "last_buyer_activity_at"
    # GREATEST ignores NULLs on PostgreSQL but answers NULL on SQLite: coalesce both ways.
    return plans.annotate(
        buyer_seen_at=Greatest(Coalesce(activity, visited), Coalesce(visited, activity))
    )


def buyer_visits(plan: Plan) -> list[dict[str, Any]]:
    """Who on the buyer side opened the plan, latest first: name, email, the link used, the
    last visit and on how many days they came. One query."""
    visitors = (
        BuyerVisitor.objects.filter(share_link__plan_id=plan.id)
        .select_related("share_link")
        .annotate(days=Count("visits"), last_day=Max("visits__day"))
        .order_by("-last_seen_at", "-id")
    )
    return [
        {
            "name": v.name,
            "email": v.email,
            "share_link_id": v.share_link_id,
            "share_link_label": v.share_link.label,
            "share_link_prefix": v.share_link.prefix,
            "first_seen_at": v.first_seen_at,
            "last_seen_at": v.last_seen_at,
            "last_visit_on": v.last_day,
            "days_visited": v.days,
            "changes": v.writes,
        }
        for v in visitors
    ]

"""The one place that fetches a plan for a seller (by workspace) or a buyer (by share token)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.utils import timezone

from mutualplan.db.compiled import CompiledQuery
from mutualplan.plans.errors import Gone, NotFound
from mutualplan.plans.models import CalendarFeed, Milestone, Plan, ShareLink
from mutualplan.plans.queries import with_dependency_ids
from mutualplan.workspaces.models import Workspace, hash_token

MAX_ID = 2**63 - 1


def _valid_id(value: int) -> bool:
    return 0 < value <= MAX_ID


def _plan_by_id(workspace_id: int, plan_id: int) -> QuerySet[Plan]:
    return (
        Plan.objects.filter(workspace_id=workspace_id, id=plan_id)
        .select_related("deal", "deal__owner")
        .order_by()[:1]
    )


# Every seller API request on a plan reads it (and every write to it locks it): compiled once.
_PLAN = CompiledQuery(_plan_by_id, workspace_id=int, plan_id=int)
_LOCKED_PLAN = CompiledQuery(
    lambda workspace_id, plan_id: _plan_by_id(workspace_id, plan_id).select_for_update(
        of=("self",)
    ),
    workspace_id=int,
    plan_id=int,
)


def get_plan(workspace: Workspace, plan_id: int, for_update: bool = False) -> Plan:
    """The workspace's plan, or NotFound (another workspace's plan is simply not found)."""
    if not _valid_id(plan_id):
        raise NotFound(f"plan {plan_id} not found")
    query = _LOCKED_PLAN if for_update else _PLAN
    plan = query.first(workspace_id=workspace.id, plan_id=plan_id)
    if plan is None:
        raise NotFound(f"plan {plan_id} not found")
    plan.workspace = workspace  # already read: "today" is in its time zone, without a query
    return plan


def plan_queryset_for_user(user: Any) -> QuerySet[Plan]:
    """Plans of every workspace the signed-in seller belongs to."""
    if not getattr(user, "is_authenticated", False):
        return Plan.objects.none()
    return Plan.objects.filter(workspace__memberships__user=user)


def get_plan_for_user(user: Any, plan_id: int) -> Plan:
    """A plan of any workspace the signed-in seller belongs to, or NotFound."""
    if not _valid_id(plan_id):
        raise NotFound(f"plan {plan_id} not found")
    plan = (
        plan_queryset_for_user(user)
        .select_related("deal", "deal__owner", "workspace")
        .filter(id=plan_id)
        .first()
    )
    if plan is None:
        raise NotFound(f"plan {plan_id} not found")
    return plan


# Every row write locks its row, read with its prerequisites' ids so that the answer to the
# write needs no second read: compiled once.
_LOCKED_MILESTONE = CompiledQuery(
    lambda plan_id, milestone_id: with_dependency_ids(
        Milestone.objects.filter(plan_id=plan_id, id=milestone_id).select_for_update(of=("self",))
    ).order_by()[:1],
    plan_id=int,
    milestone_id=int,
)


def get_milestone(plan: Plan, milestone_id: int, for_update: bool = False) -> Milestone:
    if not _valid_id(milestone_id):
        raise NotFound(f"milestone {milestone_id} not found in this plan")
    if for_update:
        milestone = _LOCKED_MILESTONE.first(plan_id=plan.id, milestone_id=milestone_id)
    else:
        milestone = Milestone.objects.filter(plan=plan, id=milestone_id).first()
    if milestone is None:
        raise NotFound(f"milestone {milestone_id} not found in this plan")
    return milestone


def get_share_link(token: str) -> ShareLink:
    """The usable share link for `token`; an unknown token is 404, a revoked or expired one 410."""
    if not token or len(token) > 200:
        raise NotFound("this link does not exist")
    link = (
        # The buyer view names the deal owner as the seller's contact.
        ShareLink.objects.select_related(
            "plan", "plan__deal", "plan__deal__owner", "plan__workspace"
        )
        .filter(token_hash=hash_token(token))
        .first()
    )
    if link is None:
        raise NotFound("this link does not exist")
    if link.revoked_at is not None:
        raise Gone("this link no longer works: it was revoked")
    if link.expires_at is not None and link.expires_at <= timezone.now():
        raise Gone("this link no longer works: it has expired")
    return link


def get_share_link_of_workspace(workspace: Workspace, link_id: int) -> ShareLink:
    if not _valid_id(link_id):
        raise NotFound(f"share link {link_id} not found")
    link = ShareLink.objects.filter(id=link_id, plan__workspace=workspace).first()
    if link is None:
        raise NotFound(f"share link {link_id} not found")
    return link


def get_share_link_for_user(user: Any, link_id: int) -> ShareLink:
    """A share link of a plan the signed-in seller can reach, or NotFound."""
    link = (
        ShareLink.objects.filter(id=link_id, plan__in=plan_queryset_for_user(user))
        .select_related("plan")
        .first()
        if _valid_id(link_id)
        else None
    )
    if link is None:
        raise NotFound(f"share link {link_id} not found")
    return link


def get_calendar_feed(token: str) -> CalendarFeed:
    """The live calendar feed for `token`: unknown is 404, revoked 410. A seller's feed stops
    with the seller's access (deactivated, or no longer a member of the workspace)."""
    if not token or len(token) > 200:
        raise NotFound("this calendar does not exist")
    feed = (
        CalendarFeed.objects.select_related(
            "plan", "plan__deal", "plan__workspace", "workspace", "user"
        )
        .filter(token_hash=hash_token(token))
        .first()
    )
    if feed is None:
        raise NotFound("this calendar does not exist")
    if feed.revoked_at is not None:
        raise Gone("this calendar no longer works: it was revoked")
    if (
        feed.user_id is not None
        and not feed.workspace.memberships.filter(
            user_id=feed.user_id, user__is_active=True
        ).exists()
    ):
        raise Gone("this calendar no longer works: its seller left the workspace")
    return feed


def get_calendar_feed_of_seller(workspace: Workspace, user: Any, feed_id: int) -> CalendarFeed:
    """A feed this seller may manage: any plan feed of the workspace, or their own seller
    feed (a teammate's personal feed is not found)."""
    feed = (
        CalendarFeed.objects.filter(id=feed_id, workspace=workspace)
        .filter(models.Q(plan__isnull=False) | models.Q(user_id=user.id))
        .first()
        if _valid_id(feed_id)
        else None
    )
    if feed is None:
        raise NotFound(f"calendar feed {feed_id} not found")
    return feed

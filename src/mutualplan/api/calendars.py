"""Calendar routes: a plan's feed (buyer-safe), the caller's own feed of their plans, revoking
either, and the plan's dates as an .ics file."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from mutualplan.api.auth import seller
from mutualplan.api.responses import answers
from mutualplan.api.schemas.calendars import CalendarFeedCreated, CalendarFeedOut
from mutualplan.documents.download import ICS, calendar_response
from mutualplan.plans import access
from mutualplan.plans.models import CalendarFeed
from mutualplan.plans.services import calendar_feeds

router = Router(tags=["calendars"])


def feed_dict(feed: CalendarFeed) -> dict[str, Any]:
    return {
        "id": feed.id,
        "kind": "plan" if feed.plan_id is not None else "seller",
        "plan_id": feed.plan_id,
        "prefix": feed.prefix,
        "created_at": feed.created_at,
        "revoked_at": feed.revoked_at,
        "last_used_at": feed.last_used_at,
    }


def _created(feed: CalendarFeed, token: str) -> Status[Any]:
    return Status(201, {**feed_dict(feed), "token": token, "url": calendar_feeds.feed_url(token)})


@router.get(
    "/plans/{int:plan_id}/calendar-feeds",
    response=answers({200: list[CalendarFeedOut]}, 401, 404),
)
def list_plan_feeds(request: HttpRequest, plan_id: int) -> list[dict[str, Any]]:
    """The plan's calendar feeds, revoked ones included; never their tokens."""
    workspace, _ = seller(request)
    plan = access.get_plan(workspace, plan_id)
    return [feed_dict(f) for f in plan.calendar_feeds.order_by("id")]


@router.post(
    "/plans/{int:plan_id}/calendar-feeds",
    response=answers({201: CalendarFeedCreated}, 401, 404),
)
def create_plan_feed(request: HttpRequest, plan_id: int) -> Status[Any]:
    """A secret iCalendar address of the plan's dates, holding only what the buyer sees (so
    it can be handed to the buyer). `url` and `token` are shown this once."""
    workspace, actor = seller(request)
    plan = access.get_plan(workspace, plan_id)
    return _created(*calendar_feeds.create_plan_feed(plan, actor))


@router.get("/calendar-feeds", response=answers({200: list[CalendarFeedOut]}, 401))
def list_my_feeds(request: HttpRequest) -> list[dict[str, Any]]:
    """The caller's own feeds of all their plans in this workspace."""
    workspace, actor = seller(request)
    feeds = CalendarFeed.objects.filter(workspace=workspace, user=actor.user).order_by("id")
    return [feed_dict(f) for f in feeds]


@router.post("/calendar-feeds", response=answers({201: CalendarFeedCreated}, 401))
def create_my_feed(request: HttpRequest) -> Status[Any]:
    """A secret iCalendar address of every open plan (active, draft, paused) the caller
    owns, each event linking to its plan page. `url` and `token` are shown this once."""
    workspace, actor = seller(request)
    return _created(*calendar_feeds.create_seller_feed(workspace, actor))


@router.delete("/calendar-feeds/{int:feed_id}", response=answers({204: None}, 401, 404))
def revoke_feed(request: HttpRequest, feed_id: int) -> Status[Any]:
    """Stop a plan's feed of this workspace, or one of the caller's own feeds, at once."""
    workspace, actor = seller(request)
    feed = access.get_calendar_feed_of_seller(workspace, actor.user, feed_id)
    calendar_feeds.revoke_calendar_feed(feed, actor)
    return Status(204, None)


@router.get(
    "/plans/{int:plan_id}/export/ics",
    response=answers({200: None}, 401, 404),
    openapi_extra={
        "responses": {
            200: {
                "description": "The plan's dates as an iCalendar file, as the buyer sees them",
                "content": {ICS: {"schema": {"type": "string"}}},
            }
        }
    },
)
def export_ics(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Every dated milestone and the target date as all-day events (RFC 5545), with the
    same UIDs as the plan's feed."""
    workspace, _ = seller(request)
    return calendar_response(access.get_plan(workspace, plan_id))

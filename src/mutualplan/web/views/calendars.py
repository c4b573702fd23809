"""Calendars: the secret feeds calendar apps subscribe to, the .ics downloads of a plan, and
the seller's pages that create and revoke feeds."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET, require_POST, require_safe

from mutualplan.documents.download import ICS, calendar_response
from mutualplan.plans import access
from mutualplan.plans.actors import Actor
from mutualplan.plans.calendar_view import plan_calendar, seller_calendar
from mutualplan.plans.errors import DomainError, Gone, NotFound
from mutualplan.plans.models import CalendarFeed
from mutualplan.plans.services import calendar_feeds
from mutualplan.web.context import current_workspace, user_of
from mutualplan.web.responses import answer, page_action
from mutualplan.web.views.buyer import _link, link_page
from mutualplan.web.views.plans import plan_url, render_plan_page, seller_plan

FEED_ID = re.compile(r"[0-9]{1,18}")


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """What a calendar app polls, with no login: a plan's dates as the buyer sees them, or a
    seller's open plans. An unknown token is 404 and a revoked one 410, with nothing in it."""
    try:
        feed = access.get_calendar_feed(token)
    except (NotFound, Gone) as exc:
        return HttpResponse(status=exc.status)
    calendar_feeds.note_feed_used(feed)
    if feed.plan is not None:
        content = plan_calendar(feed.plan)
    else:
        content = seller_calendar(feed.workspace, feed.user)
    response = HttpResponse(content, content_type=ICS)
    response["Cache-Control"] = "private, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def seller_plan_ics(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The plan's dates as a file, the same the buyer gets (it is made to be passed on)."""
    return calendar_response(seller_plan(request, plan_id))


@link_page
@require_GET
def buyer_plan_ics(request: HttpRequest, token: str) -> HttpResponse:
    """Anyone holding a live share link may add the plan's dates to their calendar."""
    return calendar_response(_link(request, token).plan)


@login_required
@require_POST
@page_action(plan_url)
def create_plan_feed(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = seller_plan(request, plan_id)
    _, token = calendar_feeds.create_plan_feed(plan, Actor.seller(request.user))
    # Like a new share link, the address is shown this once on the page that answers the form.
    messages.success(request, "Calendar feed created: copy its address now, it is shown once.")
    return render_plan_page(
        request, plan, new_calendar_url=calendar_feeds.feed_url(token), status=201
    )


@login_required
@require_POST
@page_action(plan_url)
def revoke_plan_feed(request: HttpRequest, plan_id: int, feed_id: int) -> HttpResponse:
    plan = seller_plan(request, plan_id)
    feed = access.get_calendar_feed_of_seller(plan.workspace, request.user, feed_id)
    if feed.plan_id != plan.id:
        raise NotFound(f"calendar feed {feed_id} not found")
    calendar_feeds.revoke_calendar_feed(feed, Actor.seller(request.user))
    return answer(
        request,
        plan_url(request, plan.id) + "#calendar",
        {"revoked": feed.id},
        message="Calendar feed revoked: it stopped working at once.",
    )


@login_required
def my_calendar(request: HttpRequest) -> HttpResponse:
    """The seller's own feed of every open plan they own: create one, see them, revoke."""
    workspace = current_workspace(request)
    if workspace is None:
        return redirect("dashboard")
    user = user_of(request)
    new_url = ""
    error: DomainError | None = None
    status = 200
    if request.method == "POST":
        raw = request.POST.get("revoke")
        try:
            if raw is not None:
                if not FEED_ID.fullmatch(raw):
                    raise NotFound(f"you have no calendar feed {raw[:20]!r}")
                feed = access.get_calendar_feed_of_seller(workspace, user, int(raw))
                if feed.user_id != user.id:
                    raise NotFound(f"you have no calendar feed {raw!r}")
                calendar_feeds.revoke_calendar_feed(feed, Actor.seller(user))
                messages.success(request, "Calendar feed revoked: it stopped working at once.")
                return redirect("my_calendar")
            _, token = calendar_feeds.create_seller_feed(workspace, Actor.seller(user))
            new_url = calendar_feeds.feed_url(token)
            status = 201
        except DomainError as exc:
            error, status = exc, exc.status
    response = render(
        request,
        "account/calendar.html",
        {
            "workspace": workspace,
            "new_url": new_url,
            "error": error.detail if error else "",
            "feeds": CalendarFeed.objects.filter(workspace=workspace, user=user).order_by("-id"),
        },
        status=status,
    )
    if new_url:
        add_never_cache_headers(response)
    return response

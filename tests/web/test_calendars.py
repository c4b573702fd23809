"""Calendars on the pages: the plan's .ics for the seller and through a share link, the plan
page's calendar feeds, and the seller's own feed on their calendar settings page."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from icalendar import Calendar

from mutualplan.plans.actors import Actor
from mutualplan.plans.models import CalendarFeed, Milestone, Plan
from mutualplan.plans.services.sharing import revoke_share_link
from mutualplan.workspaces.models import Membership
from tests.conftest import seller_plan

pytestmark = pytest.mark.django_db

FEED_URL = re.compile(r'value="(https?://[^"]+/calendar/[^"]+\.ics)"')


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def summaries(content: bytes) -> list[str]:
    return [str(e["summary"]) for e in Calendar.from_ical(content).walk("VEVENT")]


def shown_feed_url(page: str) -> str:
    found = FEED_URL.search(page)
    assert found, page
    return found.group(1)


def test_the_seller_downloads_the_plans_dates_as_an_ics_file(
    owner: Any, outsider: Any, plan: dict[str, Any]
) -> None:
    response = client_for(owner).get(f"/plans/{plan['id']}/plan.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="northwind-health-mutual-action-plan.ics"'
    )
    titles = summaries(response.content)
    assert titles[:-1] == [m["title"] for m in plan["milestones"]]
    assert titles[-1] == f"Target: {plan['target_reason']}"
    assert client_for(outsider).get(f"/plans/{plan['id']}/plan.ics").status_code == 404
    page = client_for(owner).get(f"/plans/{plan['id']}/").content.decode()
    assert f'href="/plans/{plan["id"]}/plan.ics"' in page


def test_the_buyer_adds_the_dates_to_a_calendar_without_any_seller_only_field(
    owner: Any, plan: dict[str, Any], share_token: str
) -> None:
    Milestone.objects.filter(id=plan["milestones"][0]["id"]).update(
        private_notes="wombat: the champion leaves in June"
    )
    response = Client().get(f"/s/{share_token}/plan.ics")
    assert response.status_code == 200
    text = response.content.decode()
    assert len(summaries(response.content)) == 9
    for secret in ("wombat", "120000", "enterprise", "evaluation", "/plans/"):
        assert secret not in text, secret
    revoke_share_link(Plan.objects.get(id=plan["id"]).share_links.get(), Actor.seller(owner))
    gone = Client().get(f"/s/{share_token}/plan.ics")
    assert gone.status_code == 410 and b"VCALENDAR" not in gone.content


def test_a_plan_feed_made_on_the_plan_page_is_shown_once_and_revoked_there(
    owner: Any, teammate: Any, plan: dict[str, Any]
) -> None:
    seller = client_for(owner)
    created = seller.post(f"/plans/{plan['id']}/calendar-feeds/")
    assert created.status_code == 201
    assert "no-store" in created["Cache-Control"]
    url = shown_feed_url(created.content.decode())
    feed = CalendarFeed.objects.get()
    assert (feed.plan_id, feed.user_id, feed.created_by_id) == (plan["id"], None, owner.id)
    page = seller.get(f"/plans/{plan['id']}/").content.decode()
    assert url not in page and f"…/calendar/{feed.prefix}…" in page
    path = urlsplit(url).path
    assert Client().get(path).status_code == 200
    revoked = client_for(teammate).post(f"/plans/{plan['id']}/calendar-feeds/{feed.id}/revoke/")
    assert revoked.status_code == 302
    assert Client().get(path).status_code == 410
    assert "Revoked" in seller.get(f"/plans/{plan['id']}/").content.decode()


def test_an_outsider_cannot_make_or_revoke_a_feed_from_the_plan_page(
    owner: Any, outsider: Any, plan: dict[str, Any]
) -> None:
    outsider_client = client_for(outsider)
    assert outsider_client.post(f"/plans/{plan['id']}/calendar-feeds/").status_code == 404
    client_for(owner).post(f"/plans/{plan['id']}/calendar-feeds/")
    feed = CalendarFeed.objects.get()
    refused = outsider_client.post(f"/plans/{plan['id']}/calendar-feeds/{feed.id}/revoke/")
    assert refused.status_code == 404
    feed.refresh_from_db()
    assert feed.revoked_at is None and CalendarFeed.objects.count() == 1


def test_the_seller_makes_and_revokes_their_own_feed_on_the_calendar_page(
    owner: Any, teammate: Any, plan: dict[str, Any]
) -> None:
    seller = client_for(owner)
    assert "No calendar feed yet." in seller.get("/settings/calendar/").content.decode()
    created = seller.post("/settings/calendar/")
    assert created.status_code == 201
    url = shown_feed_url(created.content.decode())
    feed = CalendarFeed.objects.get()
    assert (feed.user_id, feed.plan_id) == (owner.id, None)
    calendar = Client().get(urlsplit(url).path)
    assert calendar.status_code == 200
    assert f"Northwind Health · {plan['milestones'][0]['title']}" in summaries(calendar.content)
    # A teammate neither sees nor revokes it.
    other = client_for(teammate)
    assert f"{feed.prefix}" not in other.get("/settings/calendar/").content.decode()
    refused = other.post("/settings/calendar/", {"revoke": str(feed.id)})
    assert refused.status_code == 404
    assert other.post("/settings/calendar/", {"revoke": "²"}).status_code == 404
    assert Client().get(urlsplit(url).path).status_code == 200
    assert seller.post("/settings/calendar/", {"revoke": str(feed.id)}).status_code == 302
    assert Client().get(urlsplit(url).path).status_code == 410


def test_a_sellers_feed_stops_when_the_seller_leaves_the_workspace(
    owner: Any, plan: dict[str, Any]
) -> None:
    url = shown_feed_url(client_for(owner).post("/settings/calendar/").content.decode())
    Membership.objects.filter(user=owner).delete()
    response = Client().get(urlsplit(url).path)
    assert (response.status_code, response.content) == (410, b"")


def test_a_draft_plan_with_no_dates_gives_a_valid_empty_calendar(owner: Any) -> None:
    draft = seller_plan(owner, target_offset=None)
    response = client_for(owner).get(f"/plans/{draft['id']}/plan.ics")
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.content)
    assert calendar.walk("VEVENT") == [] and str(calendar["version"]) == "2.0"


def test_feeds_stay_out_of_search_engines(owner: Any, plan: dict[str, Any]) -> None:
    url = shown_feed_url(
        client_for(owner).post(f"/plans/{plan['id']}/calendar-feeds/").content.decode()
    )
    response = Client().get(urlsplit(url).path)
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "Disallow: /calendar/" in Client().get("/robots.txt").content.decode()

"""Calendar feeds: a plan's dates (what the buyer sees) and a seller's open plans, at secret,
revocable addresses a calendar app subscribes to, parsed back with `icalendar`."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar

from mutualplan.plans.models import Activity, CalendarFeed, Deal, Milestone, Plan
from mutualplan.workspaces.models import Membership, Workspace
from tests.conftest import Api, day, make_plan, new_plan

HOST = urlsplit(settings.BASE_URL).hostname


def feed_path(url: str) -> str:
    """The path of a feed's absolute address, for the test client."""
    return urlsplit(url).path


def fetch(url: str) -> Any:
    return Client().get(feed_path(url))


def events(content: bytes) -> dict[str, Any]:
    """The calendar's events by UID."""
    calendar = Calendar.from_ical(content)
    return {str(e["uid"]): e for e in calendar.walk("VEVENT")}


def create_plan_feed(api: Api, plan: dict[str, Any]) -> dict[str, Any]:
    response = api.post(f"/plans/{plan['id']}/calendar-feeds")
    assert response.status_code == 201, response.json_body
    return response.json_body  # type: ignore[no-any-return]


def test_a_plan_feed_is_created_with_its_address_once_and_only_its_hash_is_kept(
    owner_api: Api, plan: dict[str, Any]
) -> None:
    body = create_plan_feed(owner_api, plan)
    assert body["kind"] == "plan" and body["plan_id"] == plan["id"]
    assert body["url"].endswith(f"/calendar/{body['token']}.ics")
    stored = CalendarFeed.objects.get(id=body["id"])
    assert body["token"] not in (stored.token_hash, stored.prefix)
    listed = owner_api.get(f"/plans/{plan['id']}/calendar-feeds").json_body
    assert [f["id"] for f in listed] == [body["id"]]
    assert "token" not in listed[0] and "url" not in listed[0]


def test_the_plan_feed_has_one_all_day_event_per_dated_milestone_and_the_target(
    owner_api: Api, plan: dict[str, Any]
) -> None:
    undated = owner_api.post(
        f"/plans/{plan['id']}/milestones", {"title": "Someday", "owner_side": "buyer"}
    ).json_body
    assert undated["due_date"] is None
    response = fetch(create_plan_feed(owner_api, plan)["url"])
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "private, max-age=300"
    found = events(response.content)
    dated = [m for m in plan["milestones"] if m["due_date"]]
    assert len(dated) == 8
    assert set(found) == {f"milestone-{m['id']}@{HOST}" for m in dated} | {
        f"plan-{plan['id']}-target@{HOST}"
    }
    first = dated[0]
    event = found[f"milestone-{first['id']}@{HOST}"]
    assert str(event["summary"]) == first["title"]
    assert event["dtstart"].dt == dt.date.fromisoformat(first["due_date"])
    assert event["dtstart"].params["VALUE"] == "DATE"
    assert event["dtend"].dt == dt.date.fromisoformat(first["due_date"]) + dt.timedelta(days=1)
    description = str(event["description"])
    assert "Status: Not started" in description and "Plan: Northwind Health" in description
    assert first["owner_team"] in description
    assert "dtstamp" in event and "last-modified" in event
    target = found[f"plan-{plan['id']}-target@{HOST}"]
    assert str(target["summary"]) == f"Target: {plan['target_reason']}"
    assert target["dtstart"].dt == dt.date.fromisoformat(plan["target_date"])


def test_a_moved_milestone_keeps_its_uid_with_the_new_date_and_a_higher_sequence(
    owner_api: Api, plan: dict[str, Any]
) -> None:
    url = create_plan_feed(owner_api, plan)["url"]
    first = plan["milestones"][0]
    uid = f"milestone-{first['id']}@{HOST}"
    before = events(fetch(url).content)[uid]
    moved = owner_api.patch(
        f"/plans/{plan['id']}/milestones/{first['id']}", {"version": 1, "due_date": day(40)}
    )
    assert moved.status_code == 200, moved.json_body
    after = events(fetch(url).content)[uid]
    assert after["dtstart"].dt == dt.date.fromisoformat(day(40)) != before["dtstart"].dt
    assert after["sequence"] > before["sequence"]
    assert after["last-modified"].dt >= before["last-modified"].dt


def test_a_moved_target_keeps_its_uid_with_the_new_date_and_a_higher_sequence(
    owner_api: Api, plan: dict[str, Any]
) -> None:
    url = create_plan_feed(owner_api, plan)["url"]
    uid = f"plan-{plan['id']}-target@{HOST}"
    before = events(fetch(url).content)[uid]
    moved = owner_api.post(
        f"/plans/{plan['id']}/retarget", {"target_date": day(120), "version": plan["version"]}
    )
    assert moved.status_code == 200, moved.json_body
    after = events(fetch(url).content)[uid]
    assert after["dtstart"].dt == dt.date.fromisoformat(day(120))
    assert after["sequence"] > before["sequence"]


def test_the_plan_feed_holds_only_what_the_buyer_sees_and_links_to_nothing(
    owner_api: Api, plan: dict[str, Any]
) -> None:
    first = plan["milestones"][0]
    owner_api.patch(
        f"/plans/{plan['id']}/milestones/{first['id']}",
        {"version": 1, "private_notes": "Champion is leaving in June"},
    )
    Deal.objects.filter(plan__id=plan["id"]).update(crm_ref="006XYZ", industry="Hospitals")
    content = fetch(create_plan_feed(owner_api, plan)["url"]).content.decode()
    for secret in ("Champion is leaving", "120000", "enterprise", "evaluation", "006XYZ"):
        assert secret not in content, secret
    assert "Hospitals" not in content and "/plans/" not in content and "/s/" not in content
    assert "URL" not in [line.split(":")[0] for line in content.splitlines()]


def test_making_and_revoking_a_plan_feed_is_in_the_sellers_activity_and_not_the_buyers(
    owner_api: Api, anonymous_api: Api, plan: dict[str, Any], share_token: str
) -> None:
    feed = create_plan_feed(owner_api, plan)
    owner_api.delete(f"/calendar-feeds/{feed['id']}")
    owner_api.delete(f"/calendar-feeds/{feed['id']}")  # twice: recorded once
    mine = owner_api.post("/calendar-feeds").json_body
    owner_api.delete(f"/calendar-feeds/{mine['id']}")  # not a plan's: in no plan's activity
    rows = Activity.objects.filter(verb__startswith="calendar_feed").order_by("id")
    assert [(a.verb, a.actor_name, a.data) for a in rows] == [
        ("calendar_feed_created", "Olivia Owner", {"calendar_feed_id": feed["id"]}),
        ("calendar_feed_revoked", "Olivia Owner", {"calendar_feed_id": feed["id"]}),
    ]
    seller_feed = owner_api.get(f"/plans/{plan['id']}/activity").json_body
    assert "revoked a calendar feed" in str(seller_feed)
    buyer = anonymous_api.get(f"/shared/{share_token}")
    assert buyer.status_code == 200 and b"calendar" not in buyer.content


def test_a_revoked_feed_gives_nothing_and_an_unknown_one_is_not_found(
    owner_api: Api, plan: dict[str, Any]
) -> None:
    feed = create_plan_feed(owner_api, plan)
    assert owner_api.delete(f"/calendar-feeds/{feed['id']}").status_code == 204
    gone = fetch(feed["url"])
    assert (gone.status_code, gone.content) == (410, b"")
    assert CalendarFeed.objects.get(id=feed["id"]).revoked_at is not None
    unknown = Client().get("/calendar/not-a-real-token.ics")
    assert (unknown.status_code, unknown.content) == (404, b"")
    listed = owner_api.get(f"/plans/{plan['id']}/calendar-feeds").json_body
    assert listed[0]["revoked_at"] is not None


def test_an_outsider_cannot_create_list_or_revoke_another_workspaces_feeds(
    owner_api: Api, outsider_api: Api, plan: dict[str, Any]
) -> None:
    feed = create_plan_feed(owner_api, plan)
    mine = owner_api.post("/calendar-feeds").json_body
    assert outsider_api.post(f"/plans/{plan['id']}/calendar-feeds").status_code == 404
    assert outsider_api.get(f"/plans/{plan['id']}/calendar-feeds").status_code == 404
    for feed_id in (feed["id"], mine["id"]):
        response = outsider_api.delete(f"/calendar-feeds/{feed_id}")
        assert response.status_code == 404
        assert response.json_body["detail"] == f"calendar feed {feed_id} not found"
    assert outsider_api.get("/calendar-feeds").json_body == []
    assert CalendarFeed.objects.filter(revoked_at__isnull=False).count() == 0
    assert CalendarFeed.objects.count() == 2
    assert fetch(feed["url"]).status_code == 200


def test_a_teammate_may_revoke_a_plan_feed_but_not_anothers_own_feed(
    owner_api: Api, teammate_api: Api, plan: dict[str, Any]
) -> None:
    feed = create_plan_feed(owner_api, plan)
    mine = owner_api.post("/calendar-feeds").json_body
    assert teammate_api.delete(f"/calendar-feeds/{mine['id']}").status_code == 404
    assert teammate_api.get("/calendar-feeds").json_body == []
    assert fetch(mine["url"]).status_code == 200
    assert teammate_api.delete(f"/calendar-feeds/{feed['id']}").status_code == 204
    assert fetch(feed["url"]).status_code == 410


def test_titles_with_markup_commas_semicolons_and_newlines_are_escaped(
    owner_api: Api, plan: dict[str, Any]
) -> None:
    nasty = "<script>alert(1)</script>, MSA; v2\\ redline\nsecond line"
    row = owner_api.post(
        f"/plans/{plan['id']}/milestones",
        {"title": nasty, "owner_side": "buyer", "owner_team": "Legal; Ops", "due_date": day(30)},
    ).json_body
    content = fetch(create_plan_feed(owner_api, plan)["url"]).content
    unfolded = content.replace(b"\r\n ", b"")
    assert b"SUMMARY:<script>alert(1)</script>\\, MSA\\; v2\\\\ redline\\nsecond line\r\n" in (
        unfolded
    )
    event = events(content)[f"milestone-{row['id']}@{HOST}"]
    assert str(event["summary"]) == nasty
    assert "Buyer · Legal; Ops" in str(event["description"])
    assert all(len(line) <= 75 for line in content.split(b"\r\n"))


def test_the_sellers_feed_holds_their_open_plans_and_links_to_each_plan_page(
    owner_api: Api, teammate_api: Api, plan: dict[str, Any]
) -> None:
    won = new_plan(owner_api)
    Plan.objects.filter(id=won["id"]).update(status="won")
    draft = new_plan(owner_api, target_offset=None)
    Milestone.objects.filter(plan_id=draft["id"]).update(due_date=dt.date.today())
    theirs = new_plan(teammate_api)
    body = owner_api.post("/calendar-feeds").json_body
    assert body["kind"] == "seller" and body["plan_id"] is None
    response = fetch(body["url"])
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, max-age=300"
    found = events(response.content)
    plans_in = {str(e["url"]).rstrip("/").rsplit("/", 1)[1] for e in found.values()}
    assert plans_in == {str(plan["id"]), str(draft["id"])}
    assert f"plan-{plan['id']}-target@{HOST}" in found
    assert not any(uid.startswith(f"plan-{draft['id']}-target") for uid in found)
    assert str(theirs["id"]) not in plans_in and str(won["id"]) not in plans_in
    first = found[f"milestone-{plan['milestones'][0]['id']}@{HOST}"]
    assert str(first["summary"]) == f"Northwind Health · {plan['milestones'][0]['title']}"
    assert f"{settings.BASE_URL}/plans/{plan['id']}/" in str(first["description"])
    assert owner_api.get("/calendar-feeds").json_body[0]["id"] == body["id"]


def test_the_sellers_feed_holds_only_the_plans_of_the_workspace_it_was_made_in(
    owner_api: Api, owner: Any, plan: dict[str, Any], other_workspace: Workspace
) -> None:
    Membership.objects.create(user=owner, workspace=other_workspace)
    elsewhere = make_plan(owner, workspace=other_workspace)
    found = events(fetch(owner_api.post("/calendar-feeds").json_body["url"]).content)
    assert f"plan-{plan['id']}-target@{HOST}" in found
    assert f"plan-{elsewhere.id}-target@{HOST}" not in found
    assert len(found) == 9


def test_the_sellers_feed_costs_the_same_queries_for_2_and_20_plans(
    owner_api: Api, owner: Any
) -> None:
    for _ in range(2):
        make_plan(owner)
    path = feed_path(owner_api.post("/calendar-feeds").json_body["url"])
    client = Client()

    def count() -> tuple[int, int]:
        CalendarFeed.objects.update(last_used_at=None)  # each fetch notes its use
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
            assert response.status_code == 200
        return len(ctx.captured_queries), len(events(response.content))

    few, few_events = count()
    for _ in range(18):
        make_plan(owner)
    many, many_events = count()
    assert few_events == 2 * 9 and many_events == 20 * 9
    assert many == few


def test_the_plan_exports_as_an_ics_file_with_the_feeds_uids(
    owner_api: Api, outsider_api: Api, plan: dict[str, Any]
) -> None:
    response = owner_api.client.get(
        f"/api/v1/plans/{plan['id']}/export/ics",
        headers={"Authorization": f"Bearer {owner_api.token}"},
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert (
        'filename="northwind-health-mutual-action-plan.ics"'
        in (response.headers["Content-Disposition"])
    )
    feed = fetch(create_plan_feed(owner_api, plan)["url"])
    assert set(events(response.content)) == set(events(feed.content))
    outsider = outsider_api.client.get(
        f"/api/v1/plans/{plan['id']}/export/ics",
        headers={"Authorization": f"Bearer {outsider_api.token}"},
    )
    assert outsider.status_code == 404 and b"VCALENDAR" not in outsider.content

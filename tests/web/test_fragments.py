"""The plan page's live fragments: each GET answers exactly one element marked
`data-live-fragment` with its own URL, for the signed-in seller of the workspace or an
identified buyer of a working link, and the buyer's hold nothing seller-only."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from mutualplan.plans.models import Milestone, ShareLink
from tests.conftest import Api

SELLER_FRAGMENTS = ("header", "timeline", "activity", "nudge", "health", "forecast")
BUYER_FRAGMENTS = ("header", "timeline", "activity")
# What a buyer must never read (PRODUCT.md, "What the buyer sees"): the deal and private notes.
SELLER_ONLY = ("120,000", "120000", "enterprise", "evaluation", "Champion is leaving", "USD")


@pytest.fixture
def seller(owner: Any) -> Client:
    client = Client()
    client.force_login(owner)
    return client


@pytest.fixture
def buyer(share_token: str) -> Client:
    client = Client()
    client.post(f"/s/{share_token}/", {"name": "Priya Champion", "email": "priya@buyer.example"})
    return client


def text(html: str) -> str:
    """What the fragment reads as, without tags."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def one_element(html: str, url: str) -> str:
    """The fragment's one root element (its tag), checked to carry its own URL."""
    root = re.match(r"<(\w+)[^>]*>", html)
    assert root is not None, html[:200]
    tag = root.group(1)
    assert f'data-live-fragment="{url}"' in root.group(0)
    assert html.endswith(f"</{tag}>")
    assert html.count("data-live-fragment=") == 1
    return tag


def test_each_seller_fragment_is_one_element_marked_with_its_own_url(
    seller: Client, plan: dict[str, Any]
) -> None:
    for name in SELLER_FRAGMENTS:
        url = f"/plans/{plan['id']}/fragments/{name}/"
        response = seller.get(url)
        assert response.status_code == 200, name
        assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
        one_element(response.content.decode(), url)
    header = text(seller.get(f"/plans/{plan['id']}/fragments/header/").content.decode())
    assert "Northwind Health" in header and "0 of 8 steps done" in header
    assert "Waiting on the buyer" in header and "On track" in header
    timeline = seller.get(f"/plans/{plan['id']}/fragments/timeline/").content.decode()
    assert "<svg" in timeline and "Legal redline MSA" in timeline
    activity = seller.get(f"/plans/{plan['id']}/fragments/activity/").content.decode()
    assert "created the plan" in activity
    nudge = seller.get(f"/plans/{plan['id']}/fragments/nudge/").content.decode()
    assert "The buyer has not contributed to this plan yet" in nudge
    forecast = text(seller.get(f"/plans/{plan['id']}/fragments/forecast/").content.decode())
    assert "chance of finishing by the target" in forecast and "Next best actions" in forecast


def test_the_plan_page_marks_the_same_fragments_it_serves(
    seller: Client, plan: dict[str, Any]
) -> None:
    page = seller.get(f"/plans/{plan['id']}/").content.decode()
    marked = re.findall(r'data-live-fragment="([^"]+)"', page)
    assert marked == [
        f"/plans/{plan['id']}/fragments/{name}/"
        for name in ("header", "health", "forecast", "timeline", "nudge", "activity")
    ]


def test_the_nudge_empties_once_the_buyer_has_contributed(
    seller: Client, buyer: Client, plan: dict[str, Any], share_token: str
) -> None:
    buyer.post(f"/s/{share_token}/rows/add/", {"title": "Internal budget approval"})
    nudge = seller.get(f"/plans/{plan['id']}/fragments/nudge/").content.decode()
    assert "has not contributed" not in nudge
    one_element(nudge, f"/plans/{plan['id']}/fragments/nudge/")


def test_an_unknown_fragment_and_an_outsider_get_404_and_a_visitor_is_sent_to_sign_in(
    client: Client, seller: Client, outsider: Any, plan: dict[str, Any]
) -> None:
    assert seller.get(f"/plans/{plan['id']}/fragments/table-of-secrets/").status_code == 404
    assert seller.get("/plans/999999/fragments/header/").status_code == 404
    stranger = Client()
    stranger.force_login(outsider)
    for name in SELLER_FRAGMENTS:
        response = stranger.get(f"/plans/{plan['id']}/fragments/{name}/")
        assert response.status_code == 404
        assert "Northwind" not in response.content.decode()
    anonymous = client.get(f"/plans/{plan['id']}/fragments/header/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")


def test_each_buyer_fragment_is_one_element_built_from_the_buyer_view(
    owner_api: Api, buyer: Client, plan: dict[str, Any], share_token: str
) -> None:
    row = plan["milestones"][0]
    owner_api.patch(
        f"/plans/{plan['id']}/milestones/{row['id']}",
        {"version": 1, "private_notes": "Champion is leaving in June"},
    )
    for name in BUYER_FRAGMENTS:
        url = f"/s/{share_token}/fragments/{name}/"
        response = buyer.get(url)
        assert response.status_code == 200, name
        html = response.content.decode()
        one_element(html, url)
        for secret in SELLER_ONLY:
            assert secret not in html, (name, secret)
        assert f"/plans/{plan['id']}/" not in html
    header = text(buyer.get(f"/s/{share_token}/fragments/header/").content.decode())
    assert "What we need from you" in header and "0 of 8 steps done" in header
    assert "Your contact:" in header
    activity = buyer.get(f"/s/{share_token}/fragments/activity/").content.decode()
    assert "created the plan" in activity and "private notes" not in activity
    # The nudge, the health and the forecast are the seller's alone.
    for name in ("nudge", "health", "forecast"):
        assert buyer.get(f"/s/{share_token}/fragments/{name}/").status_code == 404


def test_the_buyer_page_marks_the_same_fragments_it_serves(buyer: Client, share_token: str) -> None:
    page = buyer.get(f"/s/{share_token}/").content.decode()
    marked = re.findall(r'data-live-fragment="([^"]+)"', page)
    assert marked == [f"/s/{share_token}/fragments/{name}/" for name in BUYER_FRAGMENTS]


def test_a_buyer_fragment_needs_a_named_buyer_and_a_working_link(
    owner_api: Api, buyer: Client, plan: dict[str, Any], share_token: str
) -> None:
    unnamed = Client().get(f"/s/{share_token}/fragments/header/")
    assert unnamed.status_code == 403 and "Northwind" not in unnamed.content.decode()
    assert Client().get("/s/not-a-token/fragments/header/").status_code == 404
    link_id = owner_api.get(f"/plans/{plan['id']}/share-links").json_body[0]["id"]
    owner_api.delete(f"/share-links/{link_id}")
    assert ShareLink.objects.get(id=link_id).revoked_at is not None
    for name in BUYER_FRAGMENTS:
        revoked = buyer.get(f"/s/{share_token}/fragments/{name}/")
        assert revoked.status_code == 410
        assert "Northwind" not in revoked.content.decode()


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_fragments_cost_a_few_queries_whatever_the_number_of_rows(
    seller: Client, buyer: Client, plan: dict[str, Any], share_token: str
) -> None:
    names = [(seller, f"/plans/{plan['id']}/fragments/{n}/") for n in SELLER_FRAGMENTS]
    names += [(buyer, f"/s/{share_token}/fragments/{n}/") for n in BUYER_FRAGMENTS]
    for client, url in names:
        client.get(url)  # the learned durations the forecast reads are kept for the day
    before = {url: queries(client, url) for client, url in names}
    first = Milestone.objects.filter(plan_id=plan["id"]).order_by("position").first()
    assert first is not None
    for i in range(12):
        Milestone.objects.create(
            plan_id=plan["id"], position=100 + i, title=f"Extra step {i}", owner_side="buyer"
        )
    after = {url: queries(client, url) for client, url in names}
    print("fragment queries:", before)
    assert after == before
    forecast = before.pop(f"/plans/{plan['id']}/fragments/forecast/")
    assert max(before.values()) <= 7, before
    # The forecast's next best actions read the plan's health facts too (five queries).
    assert forecast <= 11


def test_the_forecast_fragment_follows_a_change_and_stays_in_place_when_the_plan_closes(
    seller: Client, owner_api: Api, plan: dict[str, Any]
) -> None:
    url = f"/plans/{plan['id']}/fragments/forecast/"
    before = text(seller.get(url).content.decode())
    for row in plan["milestones"][:-1]:
        done = owner_api.patch(
            f"/plans/{plan['id']}/milestones/{row['id']}", {"version": 1, "status": "done"}
        )
        assert done.status_code == 200
    after = text(seller.get(url).content.decode())
    assert after != before and "Most critical remaining steps" in after
    version = owner_api.get(f"/plans/{plan['id']}").json_body["version"]
    won = owner_api.patch(f"/plans/{plan['id']}", {"version": version, "status": "won"})
    assert won.status_code == 200
    closed = seller.get(url).content.decode()
    # A won plan has no forecast: the empty place stays, for the card to come back if reopened.
    one_element(closed, url)
    assert "Forecast" not in text(closed)

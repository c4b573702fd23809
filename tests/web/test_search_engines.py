"""Share links stay out of search engines and hand their token to no other site: the
buyer's browser sends a share page's address as Referer to its own site only."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from django.test import Client

from tests.conftest import BUYER, Api
from tests.live.sse import AsgiStream

NOINDEX = "noindex, nofollow"
META = '<meta name="robots" content="noindex, nofollow">'


def identified(token: str) -> Client:
    client = Client()
    client.post(f"/s/{token}/", {"name": BUYER["name"], "email": BUYER["email"]})
    return client


def test_every_share_page_and_fragment_says_noindex_and_keeps_its_address_on_the_site(
    owner_api: Api, plan: dict[str, Any], share_token: str
) -> None:
    row = plan["milestones"][1]
    client = identified(share_token)
    responses = {
        "identify page": Client().get(f"/s/{share_token}/"),
        "buyer page": client.get(f"/s/{share_token}/"),
        "rows": client.get(f"/s/{share_token}/rows/"),
        "one row": client.get(f"/s/{share_token}/rows/{row['id']}/"),
        "a write": client.post(
            f"/s/{share_token}/rows/{row['id']}/comment/",
            {"body": "Noted"},
            headers={"Accept": "application/json"},
        ),
        "no slash": client.get(f"/s/{share_token}"),
        "unknown link": Client().get("/s/not-a-token/"),
        "unknown path": client.get(f"/s/{share_token}/nothing-here/"),
    }
    link_id = owner_api.get(f"/plans/{plan['id']}/share-links").json_body[0]["id"]
    owner_api.delete(f"/share-links/{link_id}")
    responses["revoked link"] = client.get(f"/s/{share_token}/")
    assert responses["buyer page"].status_code == 200
    assert responses["revoked link"].status_code == 410
    headers = {
        name: (r.headers.get("X-Robots-Tag"), r.headers.get("Referrer-Policy"))
        for name, r in responses.items()
    }
    assert headers == {name: (NOINDEX, "same-origin") for name in responses}


def test_share_pages_keep_their_address_on_the_site_whatever_the_sites_referrer_policy(
    settings: Any, owner: Any, plan: dict[str, Any], share_token: str
) -> None:
    settings.SECURE_REFERRER_POLICY = "unsafe-url"
    seller = Client()
    seller.force_login(owner)
    buyer_page = identified(share_token).get(f"/s/{share_token}/")
    seller_page = seller.get(f"/plans/{plan['id']}/")
    assert buyer_page.headers["Referrer-Policy"] == "same-origin"
    assert seller_page.headers["Referrer-Policy"] == "unsafe-url"


def test_the_shared_api_says_noindex_on_every_answer(
    anonymous_api: Api, plan: dict[str, Any], share_token: str
) -> None:
    responses = [
        anonymous_api.get(f"/shared/{share_token}"),
        anonymous_api.post(f"/shared/{share_token}/confirm", {"actor": BUYER}),
        anonymous_api.post(f"/shared/{share_token}/milestones", {"title": "no actor"}),
        anonymous_api.get("/shared/not-a-token"),
    ]
    assert [r.status_code for r in responses] == [200, 200, 400, 404]
    assert [r.headers.get("X-Robots-Tag") for r in responses] == [NOINDEX] * 4


@pytest.mark.django_db(transaction=True)
def test_the_buyer_live_stream_says_noindex(
    settings: Any, plan: dict[str, Any], share_token: str
) -> None:
    settings.REDIS_URL = ""

    async def headers() -> dict[str, str]:
        async with AsgiStream(f"/s/{share_token}/events", query="name=Priya") as stream:
            await stream.next_of("hello")
            return stream.headers

    seen = asyncio.run(headers())
    assert seen["content-type"] == "text/event-stream"
    assert seen["x-robots-tag"] == NOINDEX and seen["referrer-policy"] == "same-origin"


def test_buyer_pages_carry_the_robots_meta_tag(
    owner_api: Api, plan: dict[str, Any], share_token: str
) -> None:
    identify = Client().get(f"/s/{share_token}/").content.decode()
    page = identified(share_token).get(f"/s/{share_token}/").content.decode()
    gone = Client().get("/s/not-a-token/").content.decode()
    assert "Your name" in identify and "Milestones" in page and "no longer works" in gone
    assert all(META in html.split("</head>", 1)[0] for html in (identify, page, gone))


def test_seller_pages_are_not_marked_noindex(owner: Any, plan: dict[str, Any]) -> None:
    client = Client()
    client.force_login(owner)
    page = client.get(f"/plans/{plan['id']}/")
    assert page.status_code == 200 and "X-Robots-Tag" not in page.headers
    assert META not in page.content.decode()


def test_robots_txt_keeps_crawlers_out_of_share_links_and_the_api(db: Any) -> None:
    response = Client().get("/robots.txt")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    rules = [line for line in response.content.decode().splitlines() if not line.startswith("#")]
    assert rules == [
        "User-agent: *",
        "Disallow: /s/",
        "Disallow: /api/",
        "Disallow: /calendar/",
    ]

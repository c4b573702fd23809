"""The browser harness itself: the server, the browser, contexts, screenshots and the CLI."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import DESKTOP, PHONE, Contexts, Server, screenshot

if TYPE_CHECKING:
    from playwright.sync_api import Page, Request

pytestmark = pytest.mark.browser


def test_the_home_page_loads_and_names_the_app(page: Page) -> None:
    from playwright.sync_api import expect

    response = page.goto("/")

    assert response is not None and response.ok, response and response.status
    expect(page).to_have_title(re.compile("mutualplan"))
    expect(page.locator("body")).to_contain_text("mutualplan")


def test_the_api_docs_render_swagger_ui_without_any_request_leaving_the_server(
    page: Page, server: Server
) -> None:
    from playwright.sync_api import expect

    requested: list[str] = []

    def record(request: Request) -> None:
        requested.append(request.url)

    page.on("request", record)
    page.goto("/api/v1/docs")

    expect(page.locator(".swagger-ui .info .title")).to_contain_text("mutualplan API")
    expect(
        page.locator(".opblock-summary-path", has_text=re.compile(r"^/api/v1/plans$")).first
    ).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert {urlsplit(url).hostname for url in requested} == {"127.0.0.1"}, requested
    assert f"{server.url}/api/v1/openapi.json" in requested
    assert any(
        urlsplit(url).path.startswith("/static/") and "swagger-ui" in url for url in requested
    ), requested
    assert screenshot(page, "api-docs").stat().st_size > 0


def test_a_seller_and_a_buyer_browse_in_contexts_that_share_no_cookies(
    context: Contexts, server: Server
) -> None:
    seller, buyer = context(), context()
    seller.add_cookies([{"name": "who", "value": "seller", "url": server.url}])

    seller.new_page().goto("/")
    buyer.new_page().goto("/")

    seller_cookies = {cookie["name"]: cookie["value"] for cookie in seller.cookies()}
    buyer_cookies = {cookie["name"]: cookie["value"] for cookie in buyer.cookies()}
    assert seller_cookies.get("who") == "seller"
    assert "who" not in buyer_cookies


def test_a_phone_context_is_390_by_844_and_the_default_is_a_1280_by_800_desktop(
    context: Contexts, page: Page
) -> None:
    phone = context(phone=True).new_page()
    phone.goto("/")
    page.goto("/")

    assert phone.evaluate("[innerWidth, innerHeight]") == [PHONE["width"], PHONE["height"]]
    assert phone.evaluate("matchMedia('(pointer: coarse)').matches") is True
    assert page.evaluate("[innerWidth, innerHeight]") == [DESKTOP["width"], DESKTOP["height"]]


def test_the_cli_creates_a_seller_whose_token_lists_their_plans_on_the_server(
    server: Server,
) -> None:
    suffix = uuid.uuid4().hex[:8]
    email = f"seller-{suffix}@acme.example"
    target = (dt.date.today() + dt.timedelta(days=90)).isoformat()

    created = server.run_cli(
        "createuser", email, "--password", "correct-horse-battery", "--workspace", f"acme-{suffix}"
    )
    token = server.run_cli("token", "create", "--user", email)
    server.run_cli(
        "plan", "new", "--account", "Northwind Health", "--target", target, "--user", email
    )
    status, body = server.api("GET", "/plans", token=token)
    anonymous_status, _ = server.api("GET", "/plans")

    assert f"Created {email}" in created
    assert status == 200, body
    assert body["count"] == 1
    assert body["items"][0]["deal"]["account_name"] == "Northwind Health"
    assert body["items"][0]["target_date"] == target
    assert anonymous_status == 401

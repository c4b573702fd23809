"""The page code (static/mutualplan/js): live fragments, a stream refused said plainly, and the
new-plan page's preview of the dates."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from tests.browser.conftest import Contexts, Server, screenshot
from tests.browser.test_live_editing import (
    PASSWORD,
    new_seller,
    open_as_buyer,
    sign_in,
    wait_live,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page, Route

pytestmark = pytest.mark.browser
LIVE_MS = 2000


def api_plan(server: Server, email: str, account: str) -> tuple[str, dict[str, Any]]:
    """A bearer token of `email`, and a plan from the standard template made with it."""
    token = server.run_cli("token", "create", "--user", email).splitlines()[-1]
    target = (dt.date.today() + dt.timedelta(days=90)).isoformat()
    deal = {"account_name": account, "account_type": "enterprise", "stage": "evaluation"}
    status, plan = server.api(
        "POST", "/plans", token=token, body={"deal": deal, "target_date": target}
    )
    assert status == 201, plan
    return token, plan


def wait_until(page: Page, done: Callable[[], bool], why: str, timeout_s: float = 10) -> None:
    """Wait for something a route handler does (they run while Playwright waits)."""
    deadline = time.monotonic() + timeout_s
    while not done():
        assert time.monotonic() < deadline, why
        page.wait_for_timeout(50)


class HeldStream:
    """Holds the page's first request of its event stream, then lets it fail once: the page
    reconnects to the real server (EventSource cannot be closed from a test)."""

    def __init__(self, page: Page, pattern: str) -> None:
        self.page = page
        self.held: list[Route] = []
        page.route(pattern, self._handle)

    def _handle(self, route: Route) -> None:
        if route.request.headers.get("accept") == "text/event-stream" and not self.held:
            self.held.append(route)  # answered by break_once()
        else:
            route.continue_()

    def wait_until_held(self) -> None:
        wait_until(self.page, lambda: bool(self.held), "the page never asked for its stream")

    def break_once(self) -> None:
        self.wait_until_held()
        self.held[0].abort()


def sign_in_form(page: Page, email: str) -> None:
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def test_a_seller_signed_out_in_another_tab_is_asked_to_sign_in_again(
    context: Contexts, server: Server
) -> None:
    from playwright.sync_api import expect

    email = new_seller(server, "signed-out")
    _, plan = api_plan(server, email, "Litware")
    browser = context()
    seller = browser.new_page()
    sign_in(seller, email)
    stream = HeldStream(seller, f"**/plans/{plan['id']}/events*")
    seller.goto(f"/plans/{plan['id']}/")
    stream.wait_until_held()
    expect(seller.locator(".live-state")).to_have_text("Connecting…")

    other_tab = browser.new_page()
    other_tab.goto("/")
    other_tab.click("button:text('Sign out')")
    other_tab.wait_for_url("**/login/**")
    stream.break_once()

    state = seller.locator(".live-bar .live-state")
    expect(state).to_have_text(
        "Your session has ended — sign in again to keep this plan up to date", timeout=10_000
    )
    expect(state.locator("a")).to_have_attribute("href", f"/login/?next=%2Fplans%2F{plan['id']}%2F")
    expect(state).to_have_attribute("role", "status")
    screenshot(seller, "live-signed-out", full_page=False)
    # It stops there: no more attempts.
    asked = []
    seller.on(
        "request", lambda request: asked.append(request.url) if "/events" in request.url else None
    )
    seller.wait_for_timeout(2500)
    assert asked == []
    state.locator("a").click()
    seller.wait_for_url(re.compile(r"/login/\?next="))
    sign_in_form(seller, email)
    seller.wait_for_url(f"**/plans/{plan['id']}/")
    wait_live(seller)


def test_a_buyer_whose_link_is_revoked_is_told_it_no_longer_works_even_after_a_reconnect(
    context: Contexts, server: Server
) -> None:
    from playwright.sync_api import expect

    email = new_seller(server, "revoked-stream")
    token, plan = api_plan(server, email, "Proseware")
    status, link = server.api("POST", f"/plans/{plan['id']}/share-links", token=token, body={})
    assert status == 201, link
    url = f"{server.url}/s/{link['token']}/"

    # One buyer page is open and live when the link is revoked: its stream says so at once.
    open_page = open_as_buyer(context, url)
    # Another's stream is away at that moment (a dropped connection): it learns on reconnect.
    away = context().new_page()
    stream = HeldStream(away, f"**/s/{link['token']}/events*")
    away.goto(url)
    away.fill("#b-name", "Sam Sponsor")
    away.fill("#b-email", "sam@northwind.example")
    away.click("button[type=submit]")
    away.wait_for_selector("table.map")
    stream.wait_until_held()

    status, _ = server.api("DELETE", f"/share-links/{link['id']}", token=token)
    assert status == 204
    gone = "This link no longer works. Ask your contact for a new one."
    expect(open_page.locator(".revoked-banner")).to_be_visible(timeout=LIVE_MS)
    expect(open_page.locator(".live-state")).to_have_text(gone)

    stream.break_once()
    expect(away.locator(".live-state")).to_have_text(gone, timeout=10_000)
    expect(away.locator(".revoked-banner")).to_be_visible()
    assert away.locator("tbody.row select[name=status]").first.is_disabled()
    screenshot(away, "live-link-revoked", full_page=False)


def test_the_new_plan_page_previews_the_dates_as_soon_as_a_target_date_is_typed(
    context: Contexts, server: Server
) -> None:
    from playwright.sync_api import expect

    seller = context().new_page()
    sign_in(seller, new_seller(server, "preview"))
    seller.goto("/plans/new/")
    expect(seller.locator("#preview")).to_contain_text("Pick a target date")
    target = dt.date.today() + dt.timedelta(days=120)
    seller.fill("#n-target", target.isoformat())

    preview = seller.locator("#preview table.map")
    expect(preview).to_be_visible(timeout=LIVE_MS)
    expect(preview.locator("tbody tr")).to_have_count(8)
    expect(seller.locator("#preview")).to_contain_text(target.strftime("%b %-d, %Y"))
    assert seller.url.endswith("/plans/new/")
    screenshot(seller, "new-plan-preview")


def mark_feed_stale(page: Page, *, inside: str = "") -> None:
    """Mark the page's activity feed (a live fragment) with `data-stale`, which tells whether it
    is still the element the page was loaded with, and add `inside` to it."""
    page.evaluate(
        """(inside) => {
            const feed = document.querySelector("section.activity[data-live-fragment]");
            feed.dataset.stale = "yes";
            feed.insertAdjacentHTML("beforeend", inside);
        }""",
        inside,
    )


def note_on_first_row(server: Server, token: str, plan: dict[str, Any], text: str) -> None:
    """Another seller's tab edits the first row through the API."""
    status, now = server.api("GET", f"/plans/{plan['id']}", token=token)
    assert status == 200, now
    first = now["milestones"][0]
    path = f"/plans/{plan['id']}/milestones/{first['id']}"
    status, row = server.api(
        "PATCH", path, token=token, body={"version": first["version"], "notes": text}
    )
    assert status == 200, row


def test_a_live_fragment_is_fetched_once_per_burst_of_changes_and_a_failed_fetch_changes_nothing(
    context: Contexts, server: Server
) -> None:
    from playwright.sync_api import expect

    email = new_seller(server, "fragments")
    token, plan = api_plan(server, email, "Wingtip Toys")
    seller = context().new_page()
    sign_in(seller, email)
    seller.goto(f"/plans/{plan['id']}/")
    wait_live(seller)
    mark_feed_stale(seller)
    fragment_url = f"/plans/{plan['id']}/fragments/activity/"
    fetched: list[str] = []
    seller.on(
        "request",
        lambda request: fetched.append(request.url) if fragment_url in request.url else None,
    )

    # Five changes, however far apart they land: the first fetch is held until all are in,
    # and the changes that came meanwhile make one more fetch, not one each.
    held: list[Route] = []
    seller.route(
        f"**{fragment_url}",
        lambda route: held.append(route) if not held else route.continue_(),
    )
    lines = seller.locator("#feed li").count()
    for n in range(5):
        note_on_first_row(server, token, plan, f"Call with procurement #{n}")
    expect(seller.locator("#feed li")).to_have_count(lines + 5, timeout=LIVE_MS)
    box = seller.locator(f"[data-live-fragment='{fragment_url}']")
    expect(box).to_have_attribute("data-stale", "yes")
    wait_until(seller, lambda: bool(held), "the page did not fetch the fragment")
    held[0].continue_()
    expect(box).not_to_have_attribute("data-stale", "yes", timeout=LIVE_MS)
    # What the server drew: its lines carry their time.
    expect(box.locator("#feed li").first).to_contain_text("Olivia Owner")
    expect(box.locator("#feed li time[datetime]")).to_have_count(lines + 5)
    expect(box).to_have_count(1)
    seller.wait_for_timeout(600)
    assert 1 <= len(fetched) <= 2, fetched
    seller.unroute(f"**{fragment_url}")

    # A fetch that fails leaves the fragment as it is.
    seller.route(f"**{fragment_url}", lambda route: route.fulfill(status=503, body="busy"))
    seller.evaluate(
        "document.querySelector('section.activity[data-live-fragment]').dataset.stale = 'yes'"
    )
    lines = seller.locator("#feed li").count()
    note_on_first_row(server, token, plan, "Procurement call moved")
    expect(seller.locator("#feed li")).to_have_count(lines + 1, timeout=LIVE_MS)
    seller.wait_for_timeout(500)
    expect(box).to_have_attribute("data-stale", "yes")
    expect(box).to_have_count(1)

    # The fragment's URL is the seller's own: another workspace's seller is not shown it.
    outsider = context().new_page()
    sign_in(outsider, new_seller(server, "outsider"))
    assert outsider.request.get(fragment_url).status == 404
    signed_out = context().new_page().request.get(fragment_url, max_redirects=0)
    assert signed_out.status == 302


def test_a_live_fragment_waits_while_the_user_is_in_it(context: Contexts, server: Server) -> None:
    from playwright.sync_api import expect

    email = new_seller(server, "fragment-busy")
    token, plan = api_plan(server, email, "Coho Winery")
    seller = context().new_page()
    sign_in(seller, email)
    seller.goto(f"/plans/{plan['id']}/")
    wait_live(seller)
    mark_feed_stale(
        seller,
        inside="<details open><summary>Older activity</summary><p>…</p></details>"
        '<label>Filter <input id="feed-filter"></label>',
    )
    box = seller.locator("section.activity[data-live-fragment]")

    # A <details> open in it: the feed gets the line, the fragment is not swapped.
    lines = seller.locator("#feed li").count()
    note_on_first_row(server, token, plan, "Legal has the MSA")
    expect(seller.locator("#feed li")).to_have_count(lines + 1, timeout=LIVE_MS)
    seller.wait_for_timeout(600)
    expect(box).to_have_attribute("data-stale", "yes")
    # Closed, and the user moves on: now it catches up.
    seller.click("summary:text('Older activity')")
    seller.locator("tbody.row").first.locator("input[name=title]").focus()
    expect(box).not_to_have_attribute("data-stale", "yes", timeout=LIVE_MS)
    expect(box.locator("details")).to_have_count(0)

    # The focus in it: the same, until the user leaves it.
    seller.reload()
    wait_live(seller)
    mark_feed_stale(seller, inside='<input id="feed-filter">')
    seller.fill("#feed-filter", "legal")
    lines = seller.locator("#feed li").count()
    note_on_first_row(server, token, plan, "Legal sent comments")
    expect(seller.locator("#feed li")).to_have_count(lines + 1, timeout=LIVE_MS)
    seller.wait_for_timeout(600)
    expect(box).to_have_attribute("data-stale", "yes")
    expect(seller.locator("#feed-filter")).to_be_focused()
    seller.locator("tbody.row").first.locator("input[name=title]").focus()
    expect(box).not_to_have_attribute("data-stale", "yes", timeout=LIVE_MS)

"""The pages the accessibility and HTML checks visit, and the tools they run (node_modules).

One seller with one shared plan that the buyer's champion has opened and both sides have
commented on, so the plan pages show comments, a buyer-added row and an activity feed. Each
page is visited in a context of the kind that sees it: anonymous, seller or buyer.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pytest

from tests.browser.conftest import ROOT, Contexts, Server
from tests.browser.test_live_editing import (
    create_plan_in_the_browser,
    create_share_link,
    new_seller,
    open_as_buyer,
    sign_in,
)
from tests.server import in_ci

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

NODE_MODULES = ROOT / "node_modules"
INSTALL = "npm ci --ignore-scripts"

Viewer = Literal["anonymous", "seller", "buyer"]


@dataclass(frozen=True)
class AuditedPage:
    name: str  # also the file name the HTML check writes
    viewer: Viewer
    url: str


@dataclass(frozen=True)
class Visit:
    """Where the audited pages are, and the cookies of the seller and the buyer who see them."""

    pages: dict[str, AuditedPage]
    states: dict[Viewer, Any]  # Playwright storage states; None for anonymous

    def open(self, context: Contexts, name: str, *, phone: bool = False) -> tuple[Page, str]:
        """A new page in a context of the page's viewer, at `name`; the raw response body."""
        audited = self.pages[name]
        page = context(phone=phone, storage_state=self.states[audited.viewer]).new_page()
        response = page.goto(audited.url)
        assert response is not None and response.ok, (
            f"{audited.url}: {response and response.status}"
        )
        return page, response.text()


PAGE_NAMES = [
    "login",
    "dashboard",
    "new-plan",
    "import-plan",
    "import-deals",
    "seller-plan",
    "timeline",
    "call",
    "settings",
    "versions",
    "version-diff",
    "buyer-identify",
    "buyer-plan",
    "analytics",
    "analytics-durations",
    "analytics-cycles",
    "pipeline",
]


def tool(relative: str) -> Path:
    """A file under the repository's node_modules; skips (fails under CI=true) when missing."""
    path = NODE_MODULES / relative
    if not path.exists():
        why = f"{path} is missing: run `{INSTALL}` in the repository root"
        if in_ci():
            pytest.fail(f"CI runs the accessibility and HTML checks, but {why}", pytrace=False)
        pytest.skip(why)
    return path


def comment_without_javascript(page: Page, body: str) -> None:
    """Comment on the first row by posting its form the way a browser without JS would; the
    page it redirects to shows (and so uses up) the flash message, which would otherwise show
    on whichever audited page a context with the same session opened first."""
    from playwright.sync_api import expect

    field = page.locator("form.comment-form input[name=body]").first
    with page.expect_navigation():
        field.evaluate("(input, body) => { input.value = body; input.form.submit(); }", body)
    expect(page.locator(".messages")).to_contain_text("Comment added.")


def record_as_sent(page: Page) -> None:
    """The seller records the plan as sent to the buyer (a version)."""
    from playwright.sync_api import expect

    page.click("#record-version summary")
    with page.expect_navigation():
        page.click("#record-version button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("recorded as sent to the buyer")


# One set-up per server: the accessibility and the HTML checks visit the same pages.
_VISITS: dict[str, Visit] = {}


def build_visit(browser: Browser, server: Server) -> Visit:
    """Set up the shared plan in the browser (once per server) and note the pages to audit."""
    if server.url not in _VISITS:
        _VISITS[server.url] = _set_up(browser, server)
    return _VISITS[server.url]


def _set_up(browser: Browser, server: Server) -> Visit:
    contexts = Contexts(browser, server.url)
    try:
        seller = contexts().new_page()
        sign_in(seller, new_seller(server, "audit"))
        plan_url = create_plan_in_the_browser(seller, "Northwind Health")
        link = create_share_link(seller)
        identify = contexts().new_page()
        identify.goto(link)  # the buyer's first visit, before they say who they are
        identify_url = identify.url
        buyer = open_as_buyer(contexts, link)
        comment_without_javascript(buyer, "Our legal team needs two weeks for this.")
        buyer.click(".add-row summary")
        buyer.fill("#new-title", "Internal budget approval")
        buyer.fill("#new-team", "Finance")
        buyer.click(".add-form button[type=submit]")
        buyer.wait_for_selector("text=Added by buyer · Priya Champion")
        seller.goto(plan_url)
        record_as_sent(seller)  # version 1, with the buyer's row
        # A person on the buyer side: the people table, its edit forms and the row owner picker.
        seller.fill("#pa-name", "Sam Okafor")
        seller.fill("#pa-title", "CISO")
        seller.click(".add-person button[type=submit]")
        seller.wait_for_selector("table.people")
        comment_without_javascript(seller, "Thanks, we planned for that.")
        record_as_sent(seller)  # version 2
        states: dict[Viewer, Any] = {
            "anonymous": None,
            "seller": seller.context.storage_state(),
            "buyer": buyer.context.storage_state(),
        }
    finally:
        contexts.close()
    path = plan_url.removeprefix(server.url)
    pages = [
        AuditedPage("login", "anonymous", "/login/"),
        AuditedPage("dashboard", "seller", "/"),
        AuditedPage("new-plan", "seller", "/plans/new/"),
        AuditedPage("import-plan", "seller", "/plans/import/"),
        AuditedPage("import-deals", "seller", "/deals/import/"),
        AuditedPage("seller-plan", "seller", path),
        AuditedPage("timeline", "seller", f"{path}timeline/"),
        AuditedPage("call", "seller", f"{path}call/"),
        AuditedPage("settings", "seller", "/settings/"),
        AuditedPage("versions", "seller", f"{path}versions/"),
        AuditedPage("version-diff", "seller", f"{path}versions/1/diff/2/"),
        AuditedPage("buyer-identify", "anonymous", identify_url.removeprefix(server.url)),
        AuditedPage("buyer-plan", "buyer", link.removeprefix(server.url)),
        AuditedPage("analytics", "seller", "/analytics/"),
        AuditedPage("analytics-durations", "seller", "/analytics/durations/"),
        AuditedPage("analytics-cycles", "seller", "/analytics/cycles/"),
        AuditedPage("pipeline", "seller", "/forecast/"),
    ]
    assert [page.name for page in pages] == PAGE_NAMES
    return Visit({page.name: page for page in pages}, states)

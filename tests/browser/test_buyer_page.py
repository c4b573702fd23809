"""The plan read first as a plan: the header, a buyer page worth forwarding, the phone cards,
the timeline page, and the table that fits its box."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.browser.conftest import Contexts, Server, screenshot
from tests.browser.test_live_editing import (
    create_plan_in_the_browser,
    create_share_link,
    new_seller,
    open_as_buyer,
    sign_in,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"
CARD_LABELS = {"c-owner": "Owner", "c-due": "Due", "c-status": "Status", "c-notes": "Notes"}


def comment_on_first_row(page: Page, text: str) -> None:
    from playwright.sync_api import expect

    first = page.locator("tbody.row").first
    first.locator(".toggle-details").click()
    first.locator("input[name=body]").fill(text)
    first.locator(".comment-form button").click()
    expect(page.locator("tbody.row").first.locator(".toggle-details")).to_contain_text("comment")


def test_every_details_link_stays_inside_the_table_box_at_desktop_width(
    context: Contexts, server: Server
) -> None:
    seller = context().new_page()
    sign_in(seller, new_seller(server, "fits"))
    create_plan_in_the_browser(seller, "Fabrikam Pharmaceuticals International")
    comment_on_first_row(seller, "Can legal start on the MSA before the security review ends?")
    seller.reload()
    box = seller.locator(".table-wrap:has(table.map)").bounding_box()
    assert box is not None
    right = box["x"] + box["width"]
    for link in seller.locator(".toggle-details").all():
        link_box = link.bounding_box()
        assert link_box is not None
        assert link_box["x"] + link_box["width"] <= right + 0.5, "a Details link is cut off"
    assert seller.evaluate(NO_SIDEWAYS_SCROLL)
    screenshot(seller, "plan-desktop")
    seller.goto(seller.url + "timeline/")
    screenshot(seller, "timeline-desktop")
    seller.goto("/plans/new/")
    screenshot(seller, "new-plan-desktop")


def card_labels(page: Page) -> dict[str, str]:
    """The label each field of the first card shows (its ::before), when visible."""
    return page.locator("tbody.row").first.evaluate(
        """row => Object.fromEntries([...row.querySelectorAll('td[data-label]')].map(td => {
            const before = getComputedStyle(td, '::before');
            const shown = before.display !== 'none' && before.content !== 'none';
            return [td.className, shown ? before.content.replaceAll('"', '') : ''];
        }))"""
    )


def test_at_phone_width_the_plan_and_timeline_pages_fit_and_each_card_field_is_labelled(
    context: Contexts, server: Server
) -> None:
    from playwright.sync_api import expect

    email = new_seller(server, "cards")
    desk = context().new_page()
    sign_in(desk, email)
    url = create_plan_in_the_browser(desk, "Northwind Traders")
    link = create_share_link(desk)
    phone = context(phone=True).new_page()
    sign_in(phone, email)
    phone.goto(url)
    expect(phone.locator("tbody.row").first).to_be_visible()
    assert phone.evaluate(NO_SIDEWAYS_SCROLL), "the plan page scrolls sideways on a phone"
    labels = card_labels(phone)
    for cls, label in CARD_LABELS.items():
        assert labels.get(cls) == label, labels
    screenshot(phone, "plan-phone")
    screenshot(phone, "plan-phone-top", full_page=False)
    phone.locator("tbody.row").first.scroll_into_view_if_needed()
    screenshot(phone, "plan-phone-cards", full_page=False)
    phone.goto(url + "timeline/")
    assert phone.evaluate(NO_SIDEWAYS_SCROLL), "the timeline page scrolls sideways on a phone"
    screenshot(phone, "timeline-phone")
    screenshot(phone, "timeline-phone-top", full_page=False)
    phone.goto("/plans/new/")
    screenshot(phone, "new-plan-phone")

    buyer = context(phone=True).new_page()
    buyer.goto(link)
    buyer.fill("#b-name", "Priya")
    buyer.fill("#b-email", "priya@example.com")
    buyer.click("button[type=submit]")
    expect(buyer.locator("tbody.row").first).to_be_visible()
    assert buyer.evaluate(NO_SIDEWAYS_SCROLL), "the buyer page scrolls sideways on a phone"
    labels = card_labels(buyer)
    for cls, label in CARD_LABELS.items():
        assert labels.get(cls) == label, labels
    screenshot(buyer, "buyer-page-phone")
    screenshot(buyer, "buyer-page-phone-top", full_page=False)
    buyer.locator("tbody.row").first.scroll_into_view_if_needed()
    screenshot(buyer, "buyer-page-phone-cards", full_page=False)


def test_the_buyer_page_shows_progress_and_what_we_need_before_the_table(
    context: Contexts, server: Server
) -> None:
    from playwright.sync_api import expect

    seller = context().new_page()
    sign_in(seller, new_seller(server, "forward"))
    create_plan_in_the_browser(seller, "Contoso Health")
    buyer = open_as_buyer(context, create_share_link(seller))
    header = buyer.locator(".plan-head")
    expect(header).to_contain_text("0 of 8 steps done")
    expect(header).to_contain_text("On track")
    needed = buyer.locator(".needed")
    expect(needed.locator("h2")).to_have_text("What we need from you")
    expect(needed.locator("li").first).to_contain_text("due")
    expect(header).to_contain_text("Your contact: Olivia Owner")
    table_top = buyer.locator("table.map").bounding_box()
    progress_top = buyer.locator(".plan-head progress").bounding_box()
    needed_top = needed.bounding_box()
    assert table_top and progress_top and needed_top
    assert progress_top["y"] < table_top["y"] and needed_top["y"] < table_top["y"]
    screenshot(buyer, "buyer-page-desktop")
    buyer.emulate_media(media="print")
    screenshot(buyer, "buyer-page-print")


def test_a_buyer_row_becomes_editable_on_click_and_a_seller_row_stays_text(
    context: Contexts, server: Server
) -> None:
    from playwright.sync_api import expect

    seller = context().new_page()
    sign_in(seller, new_seller(server, "click"))
    create_plan_in_the_browser(seller, "Tailwind Traders")
    buyer = open_as_buyer(context, create_share_link(seller))
    mine = buyer.locator("tbody.row[data-side=buyer]").first
    theirs = buyer.locator("tbody.row[data-side=seller]").first
    title = mine.locator("input[name=title]")
    border = "el => getComputedStyle(el).borderTopColor"
    assert title.evaluate(border) == "rgba(0, 0, 0, 0)", "an idle field reads as plain text"
    title.click()
    expect(title).to_be_focused()
    expect(title).to_be_editable()
    assert title.evaluate(border) != "rgba(0, 0, 0, 0)", "a clicked field shows it is editable"
    fields = "tr.main input:not([type=hidden]), tr.main textarea, tr.main select"
    assert theirs.locator(fields).count() == 0, "a row the buyer may not edit is plain text"
    expect(theirs.locator(".c-title .title")).not_to_be_empty()
    notes = mine.locator("textarea[name=notes]")
    notes.click()
    notes.fill("Budget owner: Dana (Finance)")
    notes.press("Tab")
    expect(buyer.locator("#feed")).to_contain_text("notes")
    screenshot(buyer, "buyer-editing", full_page=False)


def test_serve_sends_static_files_under_hashed_names_compressed_and_cached_for_good(
    server: Server,
) -> None:
    import re
    import urllib.request

    with urllib.request.urlopen(f"{server.url}/login/") as page:
        html = page.read().decode()
    found = re.search(r'href="(/static/mutualplan/app\.[0-9a-f]{12}\.css)"', html)
    assert found, "the stylesheet is linked under its hashed name"
    request = urllib.request.Request(
        server.url + found.group(1), headers={"Accept-Encoding": "gzip"}
    )
    with urllib.request.urlopen(request) as css:
        assert css.headers["Content-Encoding"] == "gzip"
        cache = css.headers["Cache-Control"]
    max_age = int(re.search(r"max-age=(\d+)", cache).group(1))  # type: ignore[union-attr]
    assert max_age >= 365 * 24 * 3600 and "immutable" in cache


def test_every_page_module_is_imported_under_its_hashed_name(server: Server) -> None:
    import re
    import urllib.request

    with urllib.request.urlopen(f"{server.url}/login/") as page:
        html = page.read().decode()
    found = re.search(r'src="(/static/mutualplan/app\.[0-9a-f]{12}\.js)"', html)
    assert found, "the entry module is linked under its hashed name"
    with urllib.request.urlopen(server.url + found.group(1)) as entry:
        imports = re.findall(r'from "([^"]+)"', entry.read().decode())
    assert imports and all(re.search(r"\.[0-9a-f]{12}\.js$", name) for name in imports), imports
    live = next(name for name in imports if "/live." in name)
    with urllib.request.urlopen(f"{server.url}/static/mutualplan/{live.removeprefix('./')}") as js:
        assert "immutable" in js.headers["Cache-Control"]
        nested = re.findall(r'from "([^"]+)"', js.read().decode())
    assert nested and all(re.search(r"\.[0-9a-f]{12}\.js$", name) for name in nested), nested

"""The plan built together, live: seller and buyer in two browsers, each seeing the other's
changes without a reload; conflicts told, never lost; private notes and revoked links."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING

import pytest

from tests.browser.conftest import Contexts, Server, screenshot

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser
LIVE_MS = 2000  # "within 2 seconds"
PASSWORD = "correct-horse-battery"


def new_seller(server: Server, workspace: str) -> str:
    email = f"seller-{uuid.uuid4().hex[:8]}@acme.example"
    server.run_cli(
        "createuser",
        email,
        "--password",
        PASSWORD,
        "--workspace",
        workspace,
        "--name",
        "Olivia Owner",
    )
    return email


def sign_in(page: Page, email: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")


def create_plan_in_the_browser(page: Page, account: str) -> str:
    """The seller creates a plan from `standard` on the new-plan page; its URL."""
    page.goto("/plans/new/")
    page.fill("#n-account", account)
    page.select_option("#n-type", "enterprise")
    page.fill("#n-target", (dt.date.today() + dt.timedelta(days=90)).isoformat())
    page.fill("#n-reason", "Live before open enrolment on March 1")
    page.click("button[value=create]")
    page.wait_for_url("**/plans/*/")
    return page.url


def create_share_link(page: Page) -> str:
    page.fill("#sl-label", "Priya (champion)")
    page.click("#sharing button.primary")
    page.wait_for_selector("#new-link")
    return page.input_value("#new-link")


def open_as_buyer(context: Contexts, url: str) -> Page:
    buyer = context().new_page()
    buyer.goto(url)
    buyer.fill("#b-name", "Priya Champion")
    buyer.fill("#b-email", "priya@northwind.example")
    buyer.click("button[type=submit]")
    buyer.wait_for_selector("table.map")
    wait_live(buyer)
    return buyer


def wait_live(page: Page) -> None:
    page.wait_for_selector(".live-bar.is-live")


def row(page: Page, title: str) -> str:
    """A selector for the row whose title is `title`."""
    return (
        f"tbody.row:has(input[name=title][value='{title}']), tbody.row:has(.ro:text-is('{title}'))"
    )


def test_seller_and_buyer_build_the_plan_together_live(context: Contexts, server: Server) -> None:
    from playwright.sync_api import expect

    seller = context().new_page()
    sign_in(seller, new_seller(server, "together"))
    create_plan_in_the_browser(seller, "Northwind Health")
    expect(seller.locator("tbody.row")).to_have_count(8)
    link = create_share_link(seller)
    wait_live(seller)

    buyer = open_as_buyer(context, link)
    buyer.click(".add-row summary")
    buyer.fill("#new-title", "Internal budget approval")
    buyer.fill("#new-team", "Finance")
    buyer.click(".add-form button[type=submit]")

    added = seller.locator(
        "tbody.row", has=seller.locator("input[name=title][value='Internal budget approval']")
    )
    expect(added).to_have_count(1, timeout=LIVE_MS)
    expect(added).to_contain_text("Added by buyer · Priya Champion")
    expect(added.locator("input[name=owner_team]")).to_have_value("Finance")
    expect(seller.locator("#feed")).to_contain_text("Priya Champion")

    buyer_review = buyer.locator(
        "tbody.row", has=buyer.locator("input[name=title][value='Complete security review']")
    )
    buyer_review.locator("select[name=status]").select_option("done")
    seller_review = seller.locator(
        "tbody.row", has=seller.locator("input[name=title][value='Complete security review']")
    )
    expect(seller_review.locator("select[name=status]")).to_have_value("done", timeout=LIVE_MS)
    expect(seller_review).to_contain_text("by Priya Champion")
    expect(seller.locator(".presence")).to_contain_text("Priya Champion (buyer)")

    screenshot(seller, "plan-page")
    screenshot(buyer, "buyer-view")
    seller.goto("/")
    screenshot(seller, "dashboard")
    seller.go_back()
    seller.click("text=Printable timeline")
    seller.wait_for_selector(".timeline svg")
    screenshot(seller, "timeline")


def test_a_conflicting_edit_of_one_cell_is_told_and_keeps_its_text(
    context: Contexts, server: Server
) -> None:
    from playwright.sync_api import expect

    email = new_seller(server, "conflict")
    first = context().new_page()
    sign_in(first, email)
    plan_url = create_plan_in_the_browser(first, "Contoso Logistics")
    second = context().new_page()
    sign_in(second, email)
    second.goto(plan_url)
    wait_live(first)
    wait_live(second)

    notes = "tbody.row:first-of-type textarea[name=notes]"
    second.fill(notes, "Theo: ROI model due Friday")  # typed, not saved yet
    first.fill(notes, "Olivia: CFO wants a second ROI scenario")
    # The first save is answered before the second starts (else the second may win the race).
    with first.expect_response(
        lambda r: r.request.method == "POST" and "/rows/" in r.url and r.url.endswith("/edit/")
    ) as saved:
        first.locator(notes).blur()
    assert saved.value.status == 200, saved.value.status
    expect(first.locator("tbody.row").first).not_to_have_class("saving")

    second.locator(notes).blur()  # saves with the version it read: loses
    conflict = second.locator(".note-conflict")
    expect(conflict).to_contain_text("Olivia: CFO wants a second ROI scenario", timeout=LIVE_MS)
    expect(second.locator(notes)).to_have_value("Theo: ROI model due Friday")
    screenshot(second, "conflict")

    second.click(".note-conflict button:text('Use mine')")
    expect(first.locator(notes)).to_have_value("Theo: ROI model due Friday", timeout=LIVE_MS)


def test_the_buyer_never_sees_private_notes_and_a_revoked_link_stops_at_once(
    context: Contexts, server: Server
) -> None:
    from playwright.sync_api import expect

    seller = context().new_page()
    sign_in(seller, new_seller(server, "private"))
    create_plan_in_the_browser(seller, "Fabrikam Retail")
    seller.click("tbody.row:first-of-type .toggle-details")
    private = seller.locator("tbody.row:first-of-type textarea[name=private_notes]")
    private.fill("Champion is leaving in June")
    private.blur()
    expect(seller.locator("#feed")).to_contain_text("private notes")
    link = create_share_link(seller)

    buyer = open_as_buyer(context, link)
    assert "Champion is leaving" not in buyer.content()
    assert "Private notes" not in buyer.content()

    seller.on("dialog", lambda dialog: dialog.accept())
    seller.click("#sharing button.danger:text('Revoke')")
    expect(seller.locator("#sharing")).to_contain_text("Revoked")

    # The open buyer page learns at once, and its next write is refused.
    expect(buyer.locator(".revoked-banner")).to_be_visible(timeout=LIVE_MS)
    status = buyer.locator("tbody.row:nth-of-type(2) select[name=status]")
    assert status.is_disabled()
    csrf = buyer.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    response = buyer.request.post(
        link + "rows/add/",
        form={"title": "After revoke"},
        headers={"Accept": "application/json", "X-CSRFToken": csrf},
    )
    assert response.status == 410
    buyer.reload()
    expect(buyer.locator("h1")).to_have_text("This link no longer works")

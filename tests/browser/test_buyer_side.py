"""The buyer side of the plan page in a browser: the people on the buyer side and the rows
they own, who opened the plan, and the discovery findings."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.browser.conftest import SCREENSHOTS, Contexts, Server, screenshot
from tests.browser.test_live_editing import (
    create_plan_in_the_browser,
    create_share_link,
    new_seller,
    open_as_buyer,
    row,
    sign_in,
    wait_live,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def add_person(page: Page, name: str, role: str, title: str, email: str) -> None:
    if not page.locator(".add-person").evaluate("d => d.open"):
        page.click(".add-person summary")
    page.fill("#pa-name", name)
    page.select_option("#pa-role", role)
    page.fill("#pa-title", title)
    page.fill("#pa-email", email)
    page.click(".add-person button[type=submit]")
    page.wait_for_selector(f"table.people td:has-text('{name}')")


def test_the_seller_names_the_buyer_side_owners_and_sees_who_opened_the_plan(
    context: Contexts, server: Server
) -> None:
    from playwright.sync_api import expect

    seller = context().new_page()
    sign_in(seller, new_seller(server, "people"))
    url = create_plan_in_the_browser(seller, "Northwind Health")
    expect(seller.locator("#findings")).to_contain_text(
        "Who owns the security review at Northwind Health? Not yet known."
    )
    add_person(
        seller, "Priya Shah", "champion", "Director of Operations", "priya@northwind.example"
    )
    add_person(seller, "Sam Okafor", "security", "CISO", "sam@northwind.example")

    # Sam owns the security review: ticked in his edit form, a plain form post.
    sam = seller.locator("table.people tr:has-text('Sam Okafor')")
    sam.locator("summary").click()
    sam.locator("label.check:has-text('Complete security review') input").check()
    seller.locator("#stakeholders").screenshot(path=screenshot_path("plan-people-edit-form"))
    sam.locator("button[type=submit]:has-text('Save')").click()
    seller.wait_for_url("**/plans/*/#stakeholders")
    expect(seller.locator("table.people tr:has-text('Sam Okafor')")).to_contain_text(
        "Complete security review"
    )
    # The findings now name Sam as the owner to ask about.
    expect(seller.locator("#findings")).to_contain_text("Has Sam Okafor been briefed")

    # Priya owns the business case, picked in the row's details (saved as it changes).
    wait_live(seller)
    business = seller.locator(row(seller, "Align on business case and ROI model")).first
    business.locator(".toggle-details").click()
    business.locator("select[name=owner_person_id]").select_option(label="Priya Shah")
    expect(business.locator(".c-owner .person")).to_have_text("Priya Shah")

    link = create_share_link(seller)
    buyer = open_as_buyer(context, link)
    expect(
        buyer.locator(row(buyer, "Complete security review")).first.locator(".c-owner")
    ).to_contain_text("Sam Okafor")
    assert "sam@northwind.example" not in buyer.content()
    assert "Who owns" not in buyer.content()
    screenshot(buyer, "buyer-page-owner-names")

    seller.goto(url)
    visits = seller.locator("table.visits")
    expect(visits).to_contain_text("Priya Champion")
    expect(visits).to_contain_text("1 day")
    for section, name in (
        ("#findings", "plan-discovery-findings"),
        ("#stakeholders", "plan-people-on-the-buyer-side"),
        ("#sharing", "plan-sharing-who-opened"),
    ):
        seller.locator(section).screenshot(path=screenshot_path(name))
    screenshot(seller, "plan-page-buyer-side")


def screenshot_path(name: str) -> str:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return str(SCREENSHOTS / f"{name}.png")

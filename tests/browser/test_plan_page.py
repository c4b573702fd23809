"""The plan page by keyboard, with a confirmed plan, and at phone width."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pytest

from tests.browser.conftest import Contexts, Server, screenshot
from tests.browser.test_live_editing import (
    create_plan_in_the_browser,
    create_share_link,
    new_seller,
    open_as_buyer,
    sign_in,
    wait_live,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def titles(page: Page) -> list[str]:
    return page.locator("tbody.row input[name=title]").evaluate_all(
        "inputs => inputs.map(i => i.value)"
    )


def test_rows_reorder_from_the_keyboard_and_the_order_is_kept(
    context: Contexts, server: Server
) -> None:
    from playwright.sync_api import expect

    seller = context().new_page()
    sign_in(seller, new_seller(server, "keyboard"))
    url = create_plan_in_the_browser(seller, "Tailspin Aerospace")
    before = titles(seller)
    handle = seller.locator("tbody.row").nth(0).locator(".handle")
    handle.focus()
    seller.keyboard.press("Alt+ArrowDown")
    expect(seller.locator("tbody.row").nth(1).locator("input[name=title]")).to_have_value(before[0])
    expect(seller.locator(".handle").nth(1)).to_be_focused()
    seller.wait_for_timeout(300)
    seller.goto(url)
    assert titles(seller)[:2] == [before[1], before[0]]


def test_after_confirmation_a_date_move_asks_why_in_a_dialog(
    context: Contexts, server: Server
) -> None:
    from playwright.sync_api import expect

    seller = context().new_page()
    sign_in(seller, new_seller(server, "slips"))
    url = create_plan_in_the_browser(seller, "Litware")
    buyer = open_as_buyer(context, create_share_link(seller))
    buyer.click("button:text('Confirm dates and owners')")
    expect(buyer.locator(".messages")).to_contain_text("confirmed")

    seller.goto(url)
    wait_live(seller)
    due = seller.locator("tbody.row").nth(0).locator("input[name=due_date]")
    moved = (dt.date.fromisoformat(due.input_value()) + dt.timedelta(days=7)).isoformat()
    due.fill(moved)
    due.blur()
    dialog = seller.locator("#slip-dialog")
    expect(dialog).to_be_visible()
    screenshot(seller, "slip-dialog", full_page=False)
    dialog.locator("select[name=reason_category]").select_option("stakeholder_not_engaged")
    dialog.locator("input[name=reason_text]").fill("Legal lead on holiday")
    dialog.locator("button[value=ok]").click()
    row = seller.locator("tbody.row").nth(0)
    expect(row).to_contain_text("+7 d vs baseline")
    expect(seller.locator("#feed")).to_contain_text("due date")


def test_the_pages_read_well_at_phone_width(context: Contexts, server: Server) -> None:
    from playwright.sync_api import expect

    email = new_seller(server, "phone")
    desk = context().new_page()
    sign_in(desk, email)
    link = create_share_link_for_new_plan(desk)
    phone = context(phone=True).new_page()
    sign_in(phone, email)
    screenshot(phone, "dashboard-phone")
    phone.goto(desk.url)
    expect(phone.locator("tbody.row").first).to_be_visible()
    screenshot(phone, "plan-phone")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, f"the plan page scrolls sideways at phone width ({width}px)"
    buyer = context(phone=True).new_page()
    buyer.goto(link)
    buyer.fill("#b-name", "Priya")
    buyer.fill("#b-email", "priya@example.com")
    buyer.click("button[type=submit]")
    expect(buyer.locator("tbody.row").first).to_be_visible()
    screenshot(buyer, "buyer-phone")


def create_share_link_for_new_plan(page: Page) -> str:
    create_plan_in_the_browser(page, "Adventure Works")
    return create_share_link(page)


def test_two_quick_edits_of_one_row_are_both_saved_without_a_conflict(
    context: Contexts, server: Server
) -> None:
    from playwright.sync_api import expect

    seller = context().new_page()
    sign_in(seller, new_seller(server, "quick"))
    url = create_plan_in_the_browser(seller, "Wide World Importers")
    wait_live(seller)
    row = seller.locator("tbody.row").nth(1)
    row.locator("select[name=status]").select_option("in_progress")
    row.locator("input[name=owner_team]").fill("InfoSec")
    row.locator("input[name=owner_team]").press("Tab")
    expect(seller.locator("#feed")).to_contain_text("owner team: InfoSec")
    assert seller.locator(".note-conflict").count() == 0
    seller.goto(url)
    row = seller.locator("tbody.row").nth(1)
    expect(row.locator("select[name=status]")).to_have_value("in_progress")
    expect(row.locator("input[name=owner_team]")).to_have_value("InfoSec")

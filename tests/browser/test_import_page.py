"""The import preview in the browser: upload a spreadsheet with headers nobody guesses, re-map
its columns, see the rows read, and import them into a new plan."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import Contexts, Server, screenshot
from tests.browser.test_live_editing import new_seller, sign_in

pytestmark = pytest.mark.browser
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"


def test_the_seller_uploads_re_maps_a_column_previews_and_imports(
    context: Contexts, server: Server
) -> None:
    from playwright.sync_api import expect

    page = context().new_page()
    sign_in(page, new_seller(server, "imports"))
    page.click("text=Import a plan")
    page.wait_for_url("**/plans/import/")
    page.set_input_files("#i-file", str(FIXTURES / "unknown_headers.csv"))
    page.fill("#i-account", "Initech")
    page.fill("#i-target", "2027-04-01")
    page.click("button:has-text('Preview')")

    # Nothing is recognised: the page says what is missing and offers no import.
    expect(page.locator("[data-problems]")).to_contain_text("no column is the milestone title")
    expect(page.locator("button:has-text('Import')")).to_have_count(0)

    # Re-map the columns, preview again: the rows read.
    page.select_option("#map-1", "title")
    page.select_option("#map-2", "owner")
    page.select_option("#map-3", "due_date")
    page.select_option("#map-4", "status")
    page.click("button:has-text('Preview again')")
    rows = page.locator("table.import-rows tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(1)).to_contain_text("Security review")
    expect(rows.nth(1)).to_contain_text("Buyer · IT")
    expect(rows.nth(1)).to_contain_text("2027-02-01")
    expect(rows.nth(1)).to_contain_text("In progress")
    expect(page.locator("#map-3")).to_have_value("due_date")
    screenshot(page, "import-preview")

    page.click("button:has-text('Import 3 rows')")
    page.wait_for_url("**/plans/*/")
    expect(page.locator(".messages")).to_contain_text("Imported 3 rows.")
    expect(page.locator("body")).to_contain_text("Initech")
    expect(page.locator("body")).to_contain_text("Contract signature")

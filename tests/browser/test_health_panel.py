"""Plan health in the browser: the plan page's panel with a fix for each finding, the
dashboard's badges and counts, and the filter by code."""

from __future__ import annotations

import pytest

from tests.browser.conftest import Contexts, Server, screenshot
from tests.browser.test_live_editing import create_plan_in_the_browser, new_seller, sign_in

pytestmark = pytest.mark.browser


def test_the_seller_sees_each_finding_with_its_fix_and_filters_the_dashboard_by_code(
    context: Contexts, server: Server
) -> None:
    from playwright.sync_api import expect

    seller = context().new_page()
    sign_in(seller, new_seller(server, "health"))
    create_plan_in_the_browser(seller, "Contoso Pharma")
    url = create_plan_in_the_browser(seller, "Fabrikam Foods")
    panel = seller.locator("#health")
    expect(panel.locator("h2")).to_contain_text("Plan health")
    built_alone = panel.locator("li[data-health-code=built_alone]")
    expect(built_alone).to_contain_text("Nothing in the plan was added or changed")
    expect(built_alone.locator(".fix")).to_contain_text("Share the plan")
    expect(panel.locator("li[data-health-code=high_risk_unknowns]")).to_contain_text(
        "Legal redline"
    )
    panel.scroll_into_view_if_needed()
    screenshot(seller, "health-plan-page", full_page=False)

    seller.goto("/")
    counts = seller.locator(".health-counts")
    expect(counts).to_contain_text("Built alone 2")
    expect(seller.locator("table.plans tbody tr").first.locator(".c-health")).to_contain_text(
        "Not confirmed"
    )
    screenshot(seller, "health-dashboard")
    counts.get_by_text("Built alone").click()
    seller.wait_for_url("**/?health=built_alone")
    expect(seller.locator("table.plans tbody tr")).to_have_count(2)
    assert url.endswith("/")


def test_the_workspace_owner_changes_a_threshold_and_the_dashboard_follows(
    context: Contexts, server: Server
) -> None:
    from playwright.sync_api import expect

    seller = context().new_page()
    sign_in(seller, new_seller(server, "thresholds"))  # the first seller owns the workspace
    create_plan_in_the_browser(seller, "Tailwind Traders")
    seller.click("nav >> text=Settings")
    seller.fill("#s-time_zone", "America/Los_Angeles")
    seller.fill("#s-max_open_steps", "3")
    screenshot(seller, "health-settings")
    seller.click("button:text('Save settings')")
    expect(seller.locator(".messages")).to_contain_text("Settings saved.")
    expect(seller.locator("#s-time_zone")).to_have_value("America/Los_Angeles")
    seller.goto("/")
    expect(seller.locator(".health-counts")).to_contain_text("Too many steps 1")

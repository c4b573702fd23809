"""Everything on an open plan page follows live, not only the table rows: the header
(progress, on track, days left, confirmation), the timeline, the activity feed, the forecast
and the "buyer has not contributed yet" note, changed from another page and seen without a
reload."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.browser.conftest import Contexts, Server, screenshot
from tests.browser.test_live_editing import new_seller, sign_in, wait_live
from tests.browser.test_page_code import api_plan

pytestmark = pytest.mark.browser
LIVE_MS = 3000
BUYER = {"name": "Priya Champion", "email": "priya@northwind.example"}


def test_the_header_timeline_activity_forecast_and_nudge_follow_changes_made_elsewhere(
    context: Contexts, server: Server
) -> None:
    from playwright.sync_api import expect

    email = new_seller(server, "whole-page")
    token, plan = api_plan(server, email, "Tailspin Toys")
    status, link = server.api(
        "POST", f"/plans/{plan['id']}/share-links", token=token, body={"label": "Priya"}
    )
    assert status == 201, link
    seller = context().new_page()
    sign_in(seller, email)
    seller.goto(f"/plans/{plan['id']}/")
    wait_live(seller)
    header = seller.locator(".plan-head")
    timeline = seller.locator(".timeline")
    nudge = seller.locator(".nudge")
    forecast = seller.locator(".forecast-card")
    expect(header).to_contain_text("0 of 8 steps done")
    expect(header).to_contain_text("90 days left")
    expect(header).to_contain_text("Not confirmed by the buyer")
    expect(nudge).to_contain_text("has not contributed")
    marks = timeline.locator("text=✓").count()  # the legend's, and none on a bar
    # The rows the page was loaded with: a redraw replaces them.
    seller.evaluate(
        "document.querySelectorAll('[data-live-fragment]').forEach(e => e.dataset.old = 'yes')"
    )

    # The buyer, through the shared API (another page, another process's request).
    first = plan["milestones"][0]
    status, row = server.api(
        "PATCH",
        f"/shared/{link['token']}/milestones/{first['id']}",
        body={"version": first["version"], "status": "done", "actor": BUYER},
    )
    assert status == 200, row

    expect(header).to_contain_text("1 of 8 steps done", timeout=LIVE_MS)
    expect(timeline.locator("text=✓")).to_have_count(marks + 1, timeout=LIVE_MS)
    expect(seller.locator("#feed")).to_contain_text("Priya Champion", timeout=LIVE_MS)
    expect(nudge).not_to_contain_text("has not contributed", timeout=LIVE_MS)

    # Another seller moves the target a week later; then the champion confirms.
    later = dt.date.today() + dt.timedelta(days=97)
    status, moved = server.api(
        "POST",
        f"/plans/{plan['id']}/retarget",
        token=token,
        body={"target_date": later.isoformat(), "version": plan["version"]},
    )
    assert status == 200, moved
    expect(header).to_contain_text("97 days left", timeout=LIVE_MS)
    expect(header).to_contain_text(later.strftime("%B %-d, %Y"), timeout=LIVE_MS)
    # The forecast is measured against the new target.
    expect(forecast).to_contain_text(
        f"by the target, {later.strftime('%b %-d, %Y')}", timeout=LIVE_MS
    )
    status, confirmed = server.api(
        "POST", f"/shared/{link['token']}/confirm", body={"actor": BUYER}
    )
    assert status in (200, 201), confirmed
    expect(header).not_to_contain_text("Not confirmed", timeout=LIVE_MS)

    # None of it by reloading: the page is the one loaded at the start, its parts redrawn.
    assert seller.evaluate("document.querySelectorAll('[data-old]').length") == 0
    assert seller.evaluate("performance.getEntriesByType('navigation').length") == 1
    screenshot(seller, "plan-live-header", full_page=False)

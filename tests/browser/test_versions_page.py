"""The versions pages in the browser: from the plan page to the versions sent, and to what
changed between two of them after a retarget, a row the buyer added and a row re-owned."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.browser.conftest import Contexts, Server, screenshot
from tests.browser.test_live_editing import new_seller, sign_in
from tests.browser.test_page_code import api_plan

pytestmark = pytest.mark.browser
BUYER = {"name": "Priya Champion", "email": "priya@northwind.example"}


def test_the_seller_reads_what_changed_since_the_last_version_sent(
    context: Contexts, server: Server
) -> None:
    from playwright.sync_api import expect

    email = new_seller(server, "versions")
    token, plan = api_plan(server, email, "Northwind Health")
    status, link = server.api(
        "POST", f"/plans/{plan['id']}/share-links", token=token, body={"label": "Priya"}
    )
    assert status == 201, link
    status, _ = server.api(
        "POST", f"/plans/{plan['id']}/versions", token=token, body={"note": "First clean copy"}
    )
    assert status == 201
    target = dt.date.fromisoformat(plan["target_date"])
    status, moved = server.api(
        "POST",
        f"/plans/{plan['id']}/retarget",
        token=token,
        body={
            "target_date": (target + dt.timedelta(days=14)).isoformat(),
            "version": plan["version"],
            "reason_category": "legal_or_security_delay",
        },
    )
    assert status == 200, moved
    status, added = server.api(
        "POST",
        f"/shared/{link['token']}/milestones",
        body={"actor": BUYER, "title": "Internal IT review", "owner_team": "IT"},
    )
    assert status == 201, added
    row = next(m for m in moved["milestones"] if m["owner_side"] == "seller")
    status, _ = server.api(
        "PATCH",
        f"/plans/{plan['id']}/milestones/{row['id']}",
        token=token,
        body={"version": row["version"], "owner_side": "buyer", "owner_team": "Legal"},
    )
    assert status == 200
    status, _ = server.api(
        "POST", f"/plans/{plan['id']}/versions", token=token, body={"note": "After the retarget"}
    )
    assert status == 201

    seller = context().new_page()
    sign_in(seller, email)
    seller.goto(f"/plans/{plan['id']}/")
    seller.click("text=Versions sent and what changed")
    seller.wait_for_url(f"**/plans/{plan['id']}/versions/")
    expect(seller.locator("tbody tr")).to_have_count(2)
    expect(seller.locator("tbody tr").first).to_contain_text("After the retarget")
    screenshot(seller, "versions-list")
    seller.click("text=Since version 1")
    seller.wait_for_url(f"**/plans/{plan['id']}/versions/1/diff/2/")
    changes = seller.locator(".changes li")
    expect(changes.first).to_contain_text("Target date moved 14 days later")
    expect(seller.locator(".changes")).to_contain_text(f"{row['title']} now owned by Buyer · Legal")
    expect(seller.locator(".changes")).to_contain_text(
        "Internal IT review added by Priya Champion on the buyer side (Buyer · IT"
    )
    # The target, every row the retarget moved, the re-owned row and the added one.
    expect(changes).to_have_count(1 + len(plan["milestones"]) + 2)
    screenshot(seller, "versions-diff")

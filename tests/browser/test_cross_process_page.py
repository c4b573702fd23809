"""Live updates across server processes, as a person sees them: a change handled by one
server appears, without a reload, on a page served by another (Redis pub/sub between them).

Needs Redis (see tests/live/conftest.py): skipped without it, failed without it under CI=true.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests.browser.conftest import DESKTOP, screenshot
from tests.live.test_cross_process import EMAIL, Servers, run_cli, servers  # noqa: F401

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser


def test_a_change_through_one_server_shows_on_a_page_served_by_the_other(
    servers: Servers,  # noqa: F811
    browser: Browser,
) -> None:
    from playwright.sync_api import expect

    token = run_cli(["token", "create", "--user", EMAIL], servers.env).splitlines()[-1]
    first, second = servers.start(), servers.start()
    api = httpx.Client(
        base_url=f"{first}/api/v1", timeout=10, headers={"Authorization": f"Bearer {token}"}
    )
    target = (dt.date.today() + dt.timedelta(days=90)).isoformat()
    plan: dict[str, Any] = api.post(
        "/plans",
        json={
            "deal": {
                "account_name": "Northwind",
                "account_type": "enterprise",
                "stage": "evaluation",
            },
            "target_date": target,
            "template": "standard",
        },
    ).json()
    link = api.post(f"/plans/{plan['id']}/share-links", json={}).json()
    row = next(m for m in plan["milestones"] if m["owner_side"] == "buyer")

    context = browser.new_context(base_url=second, viewport=DESKTOP)
    try:
        page = context.new_page()
        page.goto(f"/s/{link['token']}/")
        page.fill("#b-name", "Priya Champion")
        page.fill("#b-email", "priya@northwind.example")
        page.click("button[type=submit]")
        page.wait_for_selector(".live-bar.is-live")
        status = page.locator(f"#row-{row['id']} select[name=status]")
        expect(status).to_have_value("not_started")

        patched = api.patch(
            f"/plans/{plan['id']}/milestones/{row['id']}",
            json={"version": row["version"], "status": "in_progress"},
        )
        assert patched.status_code == 200, patched.text
        expect(status).to_have_value("in_progress", timeout=2000)
        expect(page.locator("#feed")).to_contain_text("status: In progress")
        screenshot(page, "cross-process-buyer")
    finally:
        context.close()

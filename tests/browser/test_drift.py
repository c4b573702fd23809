"""Where deals drift, seen in the browser: the dashboard lists the deals that need a plan now
and flags a plan introduced late; a buyer step silent for weeks raises an escalation whose
drafted email names the step, its owner, its due date and whom it goes to.

Deals without a plan, and weeks of silence, can't be made over HTTP yet: they are written into
the test server's SQLite database, as the CRM import will write them."""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import closing

import pytest

from tests.browser.conftest import Contexts, Server, screenshot
from tests.browser.test_live_editing import create_plan_in_the_browser, new_seller, sign_in

pytestmark = pytest.mark.browser


def database(server: Server) -> sqlite3.Connection:
    return sqlite3.connect(server.data_dir / "mutualplan.sqlite3")


def add_deal_without_a_plan(server: Server, email: str, account: str, stage: str) -> None:
    with closing(database(server)) as db, db:
        workspace, owner = db.execute(
            "SELECT m.workspace_id, u.id FROM auth_user u "
            "JOIN workspaces_membership m ON m.user_id = u.id WHERE u.email = ?",
            (email,),
        ).fetchone()
        db.execute(
            "INSERT INTO plans_deal (workspace_id, account_name, account_type, industry, amount,"
            " currency, stage, owner_id, crm_ref, created_at, version)"
            " VALUES (?, ?, 'enterprise', '', 120000, 'USD', ?, ?, '', ?, 1)",
            (workspace, account, stage, owner, dt.datetime.now(dt.UTC).isoformat(" ")),
        )


def silence_the_first_buyer_step(server: Server, plan_id: int) -> str:
    """The plan was made a month ago and its first buyer-owned step never moved since; the
    champion is on record. The step's title."""
    month_ago = (dt.datetime.now(dt.UTC) - dt.timedelta(days=30)).isoformat(" ")
    with closing(database(server)) as db, db:
        db.execute(
            "UPDATE plans_plan SET created_at = ?, health_on = NULL WHERE id = ?",
            (month_ago, plan_id),
        )
        row_id, title = db.execute(
            "SELECT id, title FROM plans_milestone WHERE plan_id = ? AND owner_side = 'buyer'"
            " ORDER BY position, id",
            (plan_id,),
        ).fetchone()
        db.execute(
            "UPDATE plans_milestone SET status_updated_at = ? WHERE id = ?", (month_ago, row_id)
        )
        (deal_id,) = db.execute(
            "SELECT deal_id FROM plans_plan WHERE id = ?", (plan_id,)
        ).fetchone()
        db.execute(
            "INSERT INTO plans_stakeholder (deal_id, name, email, title, team, is_champion, role,"
            " created_at) VALUES (?, 'Priya Champion', 'priya@northwind.example', 'CIO', 'IT',"
            " 1, 'champion', ?)",
            (deal_id, month_ago),
        )
    return str(title)


def test_the_dashboard_says_which_deals_need_a_plan_and_a_silent_step_is_escalated(
    context: Contexts, server: Server
) -> None:
    from playwright.sync_api import expect

    email = new_seller(server, "drift")
    seller = context().new_page()
    sign_in(seller, email)
    url = create_plan_in_the_browser(seller, "Northwind Health")
    plan_id = int(url.rstrip("/").rsplit("/", 1)[1])
    add_deal_without_a_plan(server, email, "Litware Logistics", "demo")
    add_deal_without_a_plan(server, email, "Adatum Retail", "business_case")
    add_deal_without_a_plan(server, email, "Proseware Media", "discovery")

    seller.goto("/")
    introduce = seller.locator("#introduce")
    expect(introduce).to_contain_text("Introduce a plan now")
    expect(introduce).to_contain_text("Litware Logistics")
    expect(introduce).to_contain_text("Adatum Retail")
    expect(introduce).not_to_contain_text("Proseware Media")
    screenshot(seller, "dashboard-introduce-now", full_page=False)
    introduce.locator("li", has_text="Litware Logistics").get_by_text("Create its plan").click()
    expect(seller.locator("#n-account")).to_have_value("Litware Logistics")

    title = silence_the_first_buyer_step(server, plan_id)
    seller.goto(url)
    escalation = seller.locator("#escalations .escalation").first
    expect(escalation).to_contain_text(title)
    draft = escalation.locator("textarea").input_value()
    assert title in draft and "Priya" in draft, draft
    escalation.scroll_into_view_if_needed()
    screenshot(seller, "plan-escalation", full_page=False)

    # Sent from the page as edited, without leaving it for a mail client.
    escalation.locator("input[name=subject]").fill(f"Northwind: {title}, who has it now?")
    escalation.get_by_role("button", name="Send escalation").click()
    expect(seller.locator("body")).to_contain_text(
        "The escalation is on its way to priya@northwind.example"
    )
    sent = seller.locator("#escalations .escalation").first
    expect(sent).to_contain_text("Escalated to priya@northwind.example on")
    expect(seller.locator("#deliveries")).to_contain_text(f"Escalation: Northwind: {title}")
    sent.scroll_into_view_if_needed()
    screenshot(seller, "plan-escalation-sent", full_page=False)

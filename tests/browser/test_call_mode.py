"""Call mode in the browser: the seller opens a plan not reviewed for a month on a call,
walks its agenda, moves an overdue date with a reason, logs the call, and the plan's health
no longer says "not reviewed"."""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import closing

import pytest

from tests.browser.conftest import Contexts, Server, screenshot
from tests.browser.test_live_editing import create_plan_in_the_browser, new_seller, sign_in

pytestmark = pytest.mark.browser


def age_the_plan(server: Server, plan_id: int, overdue_days: int) -> str:
    """Made a month ago, its first row overdue: what a plan looks like before a call. The
    first row's title."""
    created = (dt.datetime.now(dt.UTC) - dt.timedelta(days=30)).replace(tzinfo=None)
    due = dt.date.today() - dt.timedelta(days=overdue_days)
    with closing(sqlite3.connect(server.data_dir / "mutualplan.sqlite3")) as db, db:
        db.execute(
            "UPDATE plans_plan SET created_at = ?, health_on = NULL WHERE id = ?",
            (created.isoformat(" "), plan_id),
        )
        row_id, title = db.execute(
            "SELECT id, title FROM plans_milestone WHERE plan_id = ? ORDER BY position, id",
            (plan_id,),
        ).fetchone()
        db.execute(
            "UPDATE plans_milestone SET due_date = ?, status = 'in_progress' WHERE id = ?",
            (due.isoformat(), row_id),
        )
    return str(title)


def slip_reasons(server: Server, plan_id: int) -> list[tuple[str, str]]:
    with closing(sqlite3.connect(server.data_dir / "mutualplan.sqlite3")) as db:
        return db.execute(
            "SELECT reason_category, reason_text FROM plans_slip WHERE plan_id = ?", (plan_id,)
        ).fetchall()


def test_the_seller_walks_the_agenda_moves_a_date_with_a_reason_and_logs_the_call(
    context: Contexts, server: Server
) -> None:
    from playwright.sync_api import expect

    seller = context().new_page()
    sign_in(seller, new_seller(server, "call"))
    url = create_plan_in_the_browser(seller, "Woodgrove Bank")
    plan_id = int(url.rstrip("/").rsplit("/", 1)[1])
    late = age_the_plan(server, plan_id, overdue_days=3)
    seller.goto(url)
    expect(seller.locator("#health li[data-health-code=not_reviewed]")).to_be_visible()
    screenshot(seller, "call-start", full_page=False)

    seller.click("text=Start call")
    seller.wait_for_url("**/call/")
    expect(seller.locator("h1")).to_contain_text("Call with Woodgrove Bank")
    overdue = seller.locator("[data-agenda-section=overdue]")
    expect(overdue.locator("li")).to_have_count(1)
    expect(overdue.locator("li")).to_contain_text(late)
    expect(overdue.locator("li")).to_contain_text("3 days ago")
    expect(seller.locator("[data-agenda-section=unconfirmed] li").first).to_be_visible()
    expect(seller.locator("[data-agenda-section=findings]")).to_contain_text("Who owns")
    expect(seller.locator("[data-agenda-section=done]")).to_contain_text("Nothing here.")
    tick = overdue.locator("input[type=checkbox]")
    tick.check()
    expect(tick).to_be_checked()

    new_due = dt.date.today() + dt.timedelta(days=5)
    overdue.locator("summary").click()
    form = overdue.locator("form.agenda-edit")
    form.locator("input[name=due_date]").fill(new_due.isoformat())
    form.locator("select[name=reason_category]").select_option(index=1)
    form.locator("input[name=reason_text]").fill("Their CFO was out this week")
    screenshot(seller, "call-mode")
    form.locator("button[type=submit]").click()
    seller.wait_for_url("**/call/**")
    expect(seller.locator(".messages")).to_contain_text(f"Saved '{late}'.")
    expect(seller.locator("[data-agenda-section=overdue] li")).to_have_count(0)
    expect(seller.locator("[data-agenda-section=due_soon]")).to_contain_text(late)
    reasons = slip_reasons(server, plan_id)
    assert len(reasons) == 1 and reasons[0][0] and reasons[0][1] == "Their CFO was out this week"

    seller.fill("#call-who", "Dana Reyes (champion), Lee Park (security)")
    seller.fill("#call-notes", "Security review starts Monday; CFO back next week.")
    seller.fill("#call-next", (dt.date.today() + dt.timedelta(days=7)).isoformat())
    seller.click("#log-call button[type=submit]")
    seller.wait_for_url(f"**/plans/{plan_id}/#health")
    expect(seller.locator(".messages")).to_contain_text("Call logged")
    expect(seller.locator("#health li[data-health-code=not_reviewed]")).to_have_count(0)
    expect(seller.locator("#health li").first).to_be_visible()  # the other findings remain
    screenshot(seller, "call-logged", full_page=False)

    seller.goto(f"{url}call/")
    expect(seller.locator("h1")).to_contain_text("Call with Woodgrove Bank")
    expect(seller.locator(".call-head")).to_contain_text("last call")


def test_call_mode_reads_on_a_phone(context: Contexts, server: Server) -> None:
    from playwright.sync_api import expect

    email = new_seller(server, "call-phone")
    phone = context(phone=True).new_page()
    sign_in(phone, email)
    url = create_plan_in_the_browser(phone, "Litware Inc")
    age_the_plan(server, int(url.rstrip("/").rsplit("/", 1)[1]), overdue_days=1)
    phone.goto(f"{url}call/")
    expect(phone.locator("[data-agenda-section=overdue] li")).to_have_count(1)
    screenshot(phone, "call-mode-phone")

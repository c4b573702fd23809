""" "Send to buyer" from the plan page: the form next to "Record as sent", and each email's
outcome on the page (sent, or failed with the mail server's reason)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.browser.conftest import Contexts, screenshot
from tests.browser.test_live_editing import create_plan_in_the_browser, new_seller, sign_in
from tests.mail.conftest import Inbox, free_port, wait_for
from tests.server import Server, start_server, stop_server

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser


@pytest.fixture
def mail_server() -> Iterator[tuple[Inbox, int]]:
    from aiosmtpd.controller import Controller

    inbox = Inbox(unknown=("gone@buyer.example",))
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def mailing_server(tmp_path: Path, mail_server: tuple[Inbox, int]) -> Iterator[Server]:
    running, process = start_server(
        tmp_path / "serve",
        extra_env={
            "MUTUALPLAN_EMAIL_URL": f"smtp://127.0.0.1:{mail_server[1]}?timeout=5",
            "MUTUALPLAN_EMAIL_ATTEMPTS": "1",
        },
    )
    try:
        yield running
    finally:
        stop_server(process)


def test_the_seller_sends_the_plan_from_its_page_and_sees_what_was_sent_and_what_failed(
    browser: Browser, mailing_server: Server, mail_server: tuple[Inbox, int]
) -> None:
    from playwright.sync_api import expect

    inbox, _ = mail_server
    contexts = Contexts(browser, mailing_server.url)
    try:
        seller = contexts().new_page()
        sign_in(seller, new_seller(mailing_server, "sending"))
        url = create_plan_in_the_browser(seller, "Tailspin Aerospace")
        form = seller.locator("#send-email-form")
        expect(seller.locator("#send button:text('Record as sent')")).to_be_hidden()
        seller.locator("#record-version summary").click()
        expect(seller.locator("#send button:text('Record as sent')")).to_be_visible()
        form.locator("#se-to").fill("priya@buyer.example, gone@buyer.example")
        form.locator("#se-message").fill("Priya, here is the plan we walked through on Tuesday.")
        form.locator("input[name=send_anyway]").check()
        seller.locator("#send").scroll_into_view_if_needed()
        screenshot(seller, "send-to-buyer-form", full_page=False)
        form.locator("button:text('Send to buyer')").click()
        expect(seller.locator("body")).to_contain_text("Version 1 is on its way to 2 people")

        assert wait_for(lambda: inbox.messages, seconds=20)
        failed = seller.locator("#deliveries tr[data-delivery=failed]")
        seller.goto(url)
        for _ in range(50):
            seller.reload()
            if failed.count() and seller.locator("tr[data-delivery=sent]").count():
                break
            seller.wait_for_timeout(200)
        expect(seller.locator("#deliveries tr[data-delivery=sent]")).to_contain_text(
            "priya@buyer.example"
        )
        expect(failed).to_contain_text("gone@buyer.example")
        expect(failed).to_contain_text(
            "the mail server refused the recipient's address (550 5.1.1 No such user here)"
        )
        seller.locator("#send").evaluate("card => card.scrollIntoView()")
        screenshot(seller, "send-to-buyer-outcomes", full_page=False)
    finally:
        contexts.close()
    assert inbox.recipients == ["priya@buyer.example"]

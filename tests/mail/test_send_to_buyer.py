""" "Send to buyer" through the queue: the API answers at once (202), a real consumer sends
each email to a real SMTP server on loopback, retries a refusal, and a send that fails for good
shows on the plan page with its reason."""

from __future__ import annotations

import logging
import re
import time
from email.utils import parseaddr
from typing import Any

import pytest
from django.test import Client

from mutualplan.plans.actors import Actor
from mutualplan.plans.models import EmailDelivery, Plan, PlanVersion, ShareLink
from mutualplan.plans.services.milestones import update_milestone
from mutualplan.plans.services.sharing import create_share_link
from tests.conftest import Api
from tests.mail.conftest import Inbox, parts, settled, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

MESSAGE = "Priya, here is where we landed on Tuesday: the security review comes first."
SELLER_ONLY = ["120000", "120,000", "evaluation", "enterprise", "wombat", "olivia@acme.example"]


def send(api: Api, plan_id: int, *recipients: str, **extra: Any) -> Any:
    started = time.monotonic()
    response = api.post(
        f"/plans/{plan_id}/send",
        {"recipients": list(recipients), "message": MESSAGE, **extra},
    )
    response.elapsed = time.monotonic() - started
    return response


def test_a_plan_sent_to_the_buyer_arrives_through_the_queue_with_its_link_and_message(
    owner_api: Api,
    plan: dict[str, Any],
    smtp_server: Inbox,
    queue_consumer: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    owner_api.patch(
        f"/plans/{plan['id']}/milestones/{plan['milestones'][0]['id']}",
        {"version": 1, "private_notes": "wombat: the champion leaves in June"},
    )

    response = send(owner_api, plan["id"], "priya@buyer.example")

    assert response.status_code == 202, response.json_body
    assert response.json_body["version"] == 1
    [queued] = response.json_body["deliveries"]
    assert queued["recipient"] == "priya@buyer.example"
    assert queued["status"] == "queued"
    delivery = wait_for(lambda: settled(queued["id"]))
    assert delivery is not None and delivery.status == "sent", delivery and delivery.last_error
    assert delivery.attempts == 1
    [received] = smtp_server.messages
    assert smtp_server.recipients == ["priya@buyer.example"]
    assert parseaddr(received["From"]) == ("Acme Software", "plans@acme.example")
    text = parts(received)
    assert set(text) == {"text/plain", "text/html"}
    links = re.findall(r"http://127\.0\.0\.1:8000/s/[\w-]+/", text["text/plain"])
    assert links, text["text/plain"]
    assert links[0] in text["text/html"]
    assert MESSAGE in text["text/plain"]
    assert "Priya, here is where we landed" in text["text/html"]
    assert "Portal live before open enrolment on March 1" in text["text/plain"]
    everything = "\n".join([*text.values(), *(f"{k}: {v}" for k, v in received.items())])
    for secret in SELLER_ONLY:
        assert secret not in everything, secret
    # The link opens the buyer's page of this plan, and it is the recipient's own.
    page = Client().get(links[0].removeprefix("http://127.0.0.1:8000"))
    assert page.status_code == 200
    assert "Northwind Health" in page.content.decode()
    assert (
        ShareLink.objects.get(id=delivery.share_link_id).label == "emailed to priya@buyer.example"
    )
    assert PlanVersion.objects.get(plan_id=plan["id"]).note == MESSAGE


def test_each_recipient_gets_an_email_and_a_link_of_their_own(
    owner_api: Api, plan: dict[str, Any], smtp_server: Inbox, queue_consumer: Any
) -> None:
    response = send(owner_api, plan["id"], "priya@buyer.example", "sam@buyer.example")

    assert response.status_code == 202
    ids = [d["id"] for d in response.json_body["deliveries"]]
    assert all(wait_for(lambda i=i: settled(i)) for i in ids)
    assert sorted(smtp_server.recipients) == ["priya@buyer.example", "sam@buyer.example"]
    links = {re.findall(r"/s/[\w-]+/", parts(m)["text/plain"])[0] for m in smtp_server.messages}
    assert len(links) == 2


def test_a_mail_server_that_refuses_the_first_attempt_gets_the_email_on_a_retry(
    owner_api: Api, plan: dict[str, Any], busy_smtp_server: Inbox, queue_consumer: Any
) -> None:
    response = send(owner_api, plan["id"], "priya@buyer.example")

    assert response.status_code == 202
    delivery = wait_for(lambda: settled(response.json_body["deliveries"][0]["id"]))
    assert delivery is not None and delivery.status == "sent"
    assert delivery.attempts == 2
    assert busy_smtp_server.refused == 1
    assert len(busy_smtp_server.messages) == 1


def test_a_mail_server_that_is_down_leaves_a_failed_send_with_its_reason_on_the_plan_page(
    owner: Any, owner_api: Api, plan: dict[str, Any], smtp_down: int, queue_consumer: Any
) -> None:
    response = send(owner_api, plan["id"], "priya@buyer.example")

    assert response.status_code == 202
    assert response.elapsed < 2, "the request waited for the mail server"
    assert response.json_body["deliveries"][0]["status"] == "queued"
    delivery = wait_for(lambda: settled(response.json_body["deliveries"][0]["id"]))
    assert delivery is not None and delivery.status == "failed"
    assert delivery.attempts == 3
    assert f"could not reach the mail server at 127.0.0.1:{smtp_down}" in delivery.last_error
    browser = Client()
    browser.force_login(owner)
    page = browser.get(f"/plans/{plan['id']}/").content.decode()
    assert "priya@buyer.example" in page
    assert "failed</strong>: could not reach the mail server at 127.0.0.1" in page


def test_sending_before_the_buyer_contributed_warns_and_sends_all_the_same(
    owner_api: Api, plan: dict[str, Any]
) -> None:
    response = send(owner_api, plan["id"], "priya@buyer.example")

    assert response.status_code == 202
    assert "The buyer has not added or changed anything" in response.json_body["warning"]
    assert EmailDelivery.objects.filter(plan_id=plan["id"]).count() == 1


def test_sending_after_the_buyer_contributed_has_no_warning(
    owner: Any, owner_api: Api, plan: dict[str, Any]
) -> None:
    stored = Plan.objects.get(id=plan["id"])
    link = ShareLink.objects.get(id=create_share_link(stored, Actor.seller(owner))[0].id)
    row = next(m for m in plan["milestones"] if m["owner_side"] == "buyer")
    update_milestone(
        stored,
        row["id"],
        Actor.buyer("Priya Champion", "priya@buyer.example", link),
        row["version"],
        {"status": "in_progress"},
    )

    response = send(owner_api, plan["id"], "priya@buyer.example")

    assert response.status_code == 202
    assert response.json_body["warning"] == ""


@pytest.mark.parametrize(
    ("recipients", "says"),
    [
        ([], "recipients"),
        (["not an address"], "is not an email address"),
        (["  "], "name at least one email address"),
    ],
)
def test_bad_recipients_are_refused_and_nothing_is_sent(
    owner_api: Api, plan: dict[str, Any], recipients: list[str], says: str
) -> None:
    response = owner_api.post(f"/plans/{plan['id']}/send", {"recipients": recipients})

    assert response.status_code == 400
    assert says in str(response.json_body)
    assert not EmailDelivery.objects.exists()
    assert not PlanVersion.objects.exists()


def test_another_workspace_cannot_send_the_plan(outsider_api: Api, plan: dict[str, Any]) -> None:
    response = outsider_api.post(f"/plans/{plan['id']}/send", {"recipients": ["a@b.example"]})

    assert response.status_code == 404
    assert not EmailDelivery.objects.exists()


def test_the_plan_page_form_queues_the_email_and_asks_first_when_the_buyer_did_nothing(
    owner: Any, plan: dict[str, Any]
) -> None:
    browser = Client()
    browser.force_login(owner)
    page = browser.get(f"/plans/{plan['id']}/").content.decode()
    assert "Send to buyer" in page and "Record as sent" in page

    asked = browser.post(
        f"/plans/{plan['id']}/send-email/",
        {"recipients": "priya@buyer.example", "message": MESSAGE},
        follow=True,
    )
    assert asked.status_code == 400
    asked_page = asked.content.decode()
    assert "The buyer has not added or changed anything" in asked_page
    # What was typed is still in the form, to send anyway without typing it again.
    assert 'value="priya@buyer.example"' in asked_page and MESSAGE in asked_page
    assert not EmailDelivery.objects.exists()

    bad = browser.post(
        f"/plans/{plan['id']}/send-email/",
        {"recipients": "priya@buyer, sam@buyer.example", "message": MESSAGE, "send_anyway": "1"},
    )
    assert bad.status_code == 400
    assert "&#x27;priya@buyer&#x27; is not an email address" in bad.content.decode()
    assert 'value="priya@buyer, sam@buyer.example"' in bad.content.decode()
    assert not EmailDelivery.objects.exists()

    sent = browser.post(
        f"/plans/{plan['id']}/send-email/",
        {
            "recipients": "priya@buyer.example, sam@buyer.example",
            "message": MESSAGE,
            "send_anyway": "1",
        },
        follow=True,
    )
    body = sent.content.decode()
    assert "Version 1 is on its way to 2 people" in body
    assert "Emails to the buyer" in body
    assert sorted(EmailDelivery.objects.values_list("recipient", flat=True)) == [
        "priya@buyer.example",
        "sam@buyer.example",
    ]
    assert Plan.objects.get(id=plan["id"]).committed_at is not None

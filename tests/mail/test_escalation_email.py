"""Escalation emails sent from the app: the seller's edited draft reaches a real SMTP server
through the queue, from the workspace's name, with a share link of the recipient's own, and
is recorded on the plan (an email delivery of kind escalation and an activity)."""

from __future__ import annotations

import re
from email.utils import parseaddr
from typing import Any

import pytest
from django.test import Client

from mutualplan.plans.models import Activity, EmailDelivery, Milestone, Plan, ShareLink
from tests.conftest import Api
from tests.mail.conftest import Inbox, settled, wait_for
from tests.mail.conftest import parts as raw_parts
from tests.web.test_escalations import champion, stale_buyer_step

pytestmark = pytest.mark.django_db(transaction=True)

SUBJECT = "Northwind: the security review, where is it?"
BODY = "Hi Priya,\n\nCould you find out who owns the security review now?\n\nThank you,\nOlivia"
SELLER_ONLY = ["120000", "120,000", "evaluation", "enterprise", "wombat", "olivia@acme.example"]


def parts(message: Any) -> dict[str, str]:
    """The message's text parts, with the wire's CRLF line ends read as newlines."""
    return {kind: text.replace("\r\n", "\n") for kind, text in raw_parts(message).items()}


def send(api: Api, plan_id: int, row_id: int, **body: Any) -> Any:
    return api.post(f"/plans/{plan_id}/escalations/{row_id}/send", body)


def nothing_was_recorded() -> bool:
    return (
        not EmailDelivery.objects.exists()
        and not ShareLink.objects.exists()
        and not Activity.objects.filter(verb="escalation_sent").exists()
    )


def test_an_edited_escalation_arrives_from_the_workspace_with_a_link_of_the_recipients_own(
    owner_api: Api, plan: dict[str, Any], smtp_server: Inbox, queue_consumer: Any
) -> None:
    row = stale_buyer_step(plan)
    champion(plan)
    Milestone.objects.filter(id=row.id).update(private_notes="wombat: the CISO is on leave")
    Plan.objects.filter(id=plan["id"]).update(contact_email="olivia.sales@acme.example")

    response = send(
        owner_api, plan["id"], row.id, to="dana@northwind.example", subject=SUBJECT, body=BODY
    )

    assert response.status_code == 202, response.json_body
    queued = response.json_body
    assert (queued["kind"], queued["recipient"], queued["subject"], queued["status"]) == (
        "escalation",
        "dana@northwind.example",
        SUBJECT,
        "queued",
    )
    assert queued["milestone_id"] == row.id
    delivery = wait_for(lambda: settled(queued["id"]))
    assert delivery is not None and delivery.status == "sent", delivery and delivery.last_error
    assert delivery.message == BODY
    [received] = smtp_server.messages
    assert smtp_server.recipients == ["dana@northwind.example"]
    assert received["Subject"] == SUBJECT
    assert parseaddr(received["From"]) == ("Acme Software", "plans@acme.example")
    assert parseaddr(received["Reply-To"])[1] == "olivia.sales@acme.example"
    text = parts(received)
    assert set(text) == {"text/plain", "text/html"}
    assert BODY in text["text/plain"]
    assert "Could you find out who owns the security review now?" in text["text/html"]
    [link] = re.findall(r"http://127\.0\.0\.1:8000/s/[\w-]+/", text["text/plain"])
    assert link in text["text/html"]
    everything = "\n".join([*text.values(), *(f"{k}: {v}" for k, v in received.items())])
    for secret in SELLER_ONLY:
        assert secret not in everything, secret
    # The link opens this plan's buyer page, and it is the recipient's own.
    page = Client().get(link.removeprefix("http://127.0.0.1:8000"))
    assert page.status_code == 200 and "Northwind Health" in page.content.decode()
    assert ShareLink.objects.get(id=delivery.share_link_id).label == (
        "escalation emailed to dana@northwind.example"
    )
    [activity] = Activity.objects.filter(plan_id=plan["id"], verb="escalation_sent")
    assert activity.milestone_id == row.id
    assert activity.summary == f"escalated '{row.title}' to dana@northwind.example"
    assert activity.actor_name == "Olivia Owner"


def test_an_escalation_sent_as_drafted_goes_to_the_champion_with_the_draft(
    owner_api: Api, plan: dict[str, Any], smtp_server: Inbox, queue_consumer: Any
) -> None:
    row = stale_buyer_step(plan)
    champion(plan)
    [draft] = owner_api.get(f"/plans/{plan['id']}/escalations").json_body["escalations"]

    response = send(owner_api, plan["id"], row.id)

    assert response.status_code == 202, response.json_body
    assert response.json_body["recipient"] == "priya@northwind.example"
    delivery = wait_for(lambda: settled(response.json_body["id"]))
    assert delivery is not None and delivery.status == "sent"
    [received] = smtp_server.messages
    assert received["Subject"] == draft["subject"]
    assert parts(received)["text/plain"].startswith("Hi Priya,")
    assert "IT Security" in parts(received)["text/plain"]
    [listed] = owner_api.get(f"/plans/{plan['id']}/escalations").json_body["escalations"]
    assert listed["last_email"]["id"] == delivery.id
    assert listed["last_email"]["status"] == "sent"
    assert draft["last_email"] is None
    # No contact email chosen on the plan: no reply-to, never the seller's login address.
    assert received["Reply-To"] is None


def test_html_in_the_escalation_is_shown_as_text_in_the_html_part(
    owner_api: Api, plan: dict[str, Any], smtp_server: Inbox, queue_consumer: Any
) -> None:
    row = stale_buyer_step(plan)
    champion(plan)

    response = send(owner_api, plan["id"], row.id, body='Hi <b>Priya</b>, <a href="x">see</a>')

    delivery = wait_for(lambda: settled(response.json_body["id"]))
    assert delivery is not None and delivery.status == "sent"
    html = parts(smtp_server.messages[0])["text/html"]
    assert "Hi &lt;b&gt;Priya&lt;/b&gt;, &lt;a href=&quot;x&quot;&gt;see&lt;/a&gt;" in html
    assert "<b>Priya</b>" not in html
    assert 'Hi <b>Priya</b>, <a href="x">see</a>' in parts(smtp_server.messages[0])["text/plain"]


def test_a_teammate_may_send_an_escalation_of_a_plan_of_the_workspace(
    teammate_api: Api, plan: dict[str, Any]
) -> None:
    row = stale_buyer_step(plan)
    champion(plan)

    response = send(teammate_api, plan["id"], row.id)

    assert response.status_code == 202, response.json_body
    delivery = EmailDelivery.objects.get()
    assert delivery.created_by is not None and delivery.created_by.email == "theo@acme.example"
    assert Activity.objects.get(verb="escalation_sent").actor_name == "Theo Teammate"


def test_another_workspace_cannot_send_an_escalation_of_the_plan(
    outsider_api: Api, plan: dict[str, Any]
) -> None:
    row = stale_buyer_step(plan)
    champion(plan)

    response = send(outsider_api, plan["id"], row.id)

    assert response.status_code == 404
    assert response.json_body["detail"]
    assert nothing_was_recorded()


def test_a_buyer_share_token_cannot_send_an_escalation(
    anonymous_api: Api, plan: dict[str, Any], share_token: str
) -> None:
    row = stale_buyer_step(plan)
    champion(plan)
    as_buyer = Api(anonymous_api.client, token=share_token)

    response = send(as_buyer, plan["id"], row.id)
    shared = anonymous_api.post(f"/shared/{share_token}/escalations/{row.id}/send", {})

    assert response.status_code == 401
    assert shared.status_code in (404, 405)
    assert not EmailDelivery.objects.exists()
    assert not Activity.objects.filter(verb="escalation_sent").exists()


@pytest.mark.parametrize(
    ("body", "field", "says"),
    [
        ({"to": "not an address"}, "to", "is not an email address"),
        ({"to": "a@northwind.example, b@northwind.example"}, "to", "one email address only"),
        ({"to": "  "}, "to", "name the email address"),
        ({"subject": ""}, "subject", "write a subject"),
        ({"subject": "one\ntwo"}, "subject", "no line breaks"),
        ({"subject": "x" * 301}, "subject", "300"),
        ({"body": "   "}, "body", "write the email"),
        ({"body": "x" * 5001}, "body", "5000"),
        ({"cc": "boss@northwind.example"}, "cc", ""),
    ],
)
def test_bad_input_is_refused_with_the_field_and_nothing_is_recorded(
    owner_api: Api, plan: dict[str, Any], body: dict[str, Any], field: str, says: str
) -> None:
    row = stale_buyer_step(plan)
    champion(plan)

    response = send(owner_api, plan["id"], row.id, **body)

    assert response.status_code == 400, response.json_body
    [error] = response.json_body["errors"]
    assert error["field"] == field and says in error["message"], error
    assert nothing_was_recorded()


def test_a_step_that_is_not_escalated_is_refused_with_the_reason(
    owner_api: Api, plan: dict[str, Any]
) -> None:
    stale_buyer_step(plan)
    champion(plan)
    seller_row = Milestone.objects.filter(plan_id=plan["id"], owner_side="seller").first()
    assert seller_row is not None

    response = send(owner_api, plan["id"], seller_row.id)

    assert response.status_code == 400
    assert "is not escalated" in response.json_body["detail"]
    assert response.json_body["errors"][0]["field"] == "milestone_id"
    assert nothing_was_recorded()


@pytest.mark.parametrize("row_id", ["999999", "99999999999999999999"])
def test_an_unknown_step_is_not_found(owner_api: Api, plan: dict[str, Any], row_id: str) -> None:
    response = owner_api.post(f"/plans/{plan['id']}/escalations/{row_id}/send", {})

    assert response.status_code in (404,), response.json_body
    assert nothing_was_recorded()


def test_an_escalation_with_no_contact_email_asks_for_an_address(
    owner_api: Api, plan: dict[str, Any]
) -> None:
    row = stale_buyer_step(plan)  # no champion or sponsor recorded

    response = send(owner_api, plan["id"], row.id)

    assert response.status_code == 400
    assert "there is no email address to escalate to" in response.json_body["detail"]
    assert nothing_was_recorded()


def test_a_mail_server_that_refuses_the_first_attempt_gets_the_escalation_on_a_retry(
    owner_api: Api, plan: dict[str, Any], busy_smtp_server: Inbox, queue_consumer: Any
) -> None:
    row = stale_buyer_step(plan)
    champion(plan)

    response = send(owner_api, plan["id"], row.id)

    delivery = wait_for(lambda: settled(response.json_body["id"]))
    assert delivery is not None and delivery.status == "sent"
    assert delivery.attempts == 2 and len(busy_smtp_server.messages) == 1


def test_a_failed_escalation_shows_on_the_plan_page_with_its_reason(
    owner: Any, owner_api: Api, plan: dict[str, Any], smtp_down: int, queue_consumer: Any
) -> None:
    row = stale_buyer_step(plan)
    champion(plan)

    response = send(owner_api, plan["id"], row.id)

    delivery = wait_for(lambda: settled(response.json_body["id"]))
    assert delivery is not None and delivery.status == "failed" and delivery.attempts == 3
    browser = Client()
    browser.force_login(owner)
    page = browser.get(f"/plans/{plan['id']}/").content.decode()
    escalation = page.split(f'data-escalation="{row.id}"', 1)[1].split("</article>", 1)[0]
    assert "Escalated to priya@northwind.example on" in escalation
    assert "<strong>failed</strong>: could not reach the mail server at 127.0.0.1" in escalation
    deliveries = page.split('id="deliveries"', 1)[1].split("</section>", 1)[0]
    assert "escalation" in deliveries and "priya@northwind.example" in deliveries

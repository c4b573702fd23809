"""The plan page's "Send escalation" form: works without script, keeps what was typed when
a send is refused, and shows each escalation's email once sent."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.test import Client

from mutualplan.plans.models import Activity, EmailDelivery, Milestone, ShareLink
from tests.conftest import seller_plan
from tests.web.test_escalations import champion, stale_buyer_step

SUBJECT = "Northwind: the security review"
BODY = "Hi Priya,\n\nWho owns the security review now?\n\nOlivia"


@pytest.fixture
def seller(owner: Any) -> Client:
    client = Client()
    client.force_login(owner)
    return client


def card(page: str, row_id: int) -> str:
    """The escalation card of that row on the plan page."""
    return page.split(f'data-escalation="{row_id}"', 1)[1].split("</article>", 1)[0]


def test_the_form_sends_the_edited_escalation_and_the_page_shows_it_queued(
    seller: Client, owner: Any
) -> None:
    plan = seller_plan(owner)
    row = stale_buyer_step(plan)
    champion(plan)
    page = seller.get(f"/plans/{plan['id']}/").content.decode()
    assert f'action="/plans/{plan["id"]}/escalations/{row.id}/send/"' in card(page, row.id)

    answer = seller.post(
        f"/plans/{plan['id']}/escalations/{row.id}/send/",
        {"to": "dana@northwind.example", "subject": SUBJECT, "body": BODY},
        follow=True,
    )

    assert answer.status_code == 200
    text = answer.content.decode()
    assert "The escalation is on its way to dana@northwind.example" in text
    assert "Escalated to dana@northwind.example on" in card(text, row.id)
    assert "(queued)" in card(text, row.id)
    deliveries = text.split('id="deliveries"', 1)[1].split("</section>", 1)[0]
    assert 'data-kind="escalation"' in deliveries and f"Escalation: {SUBJECT}" in deliveries
    delivery = EmailDelivery.objects.get()
    assert (delivery.kind, delivery.recipient, delivery.subject, delivery.milestone_id) == (
        "escalation",
        "dana@northwind.example",
        SUBJECT,
        row.id,
    )
    assert delivery.message == BODY
    assert Activity.objects.filter(verb="escalation_sent", milestone_id=row.id).count() == 1


def test_a_refused_send_shows_the_error_in_the_form_with_the_typed_values_kept(
    seller: Client, owner: Any
) -> None:
    plan = seller_plan(owner)
    row = stale_buyer_step(plan)
    champion(plan)

    answer = seller.post(
        f"/plans/{plan['id']}/escalations/{row.id}/send/",
        {"to": "dana at northwind", "subject": "<b>Where</b> is it?", "body": "Typed <i>text</i>"},
    )

    assert answer.status_code == 400
    form = card(answer.content.decode(), row.id)
    assert "Not sent. Please fix these" in form
    assert "<strong>to</strong>: &#x27;dana at northwind&#x27; is not an email address" in form
    assert 'value="dana at northwind"' in form
    assert 'value="&lt;b&gt;Where&lt;/b&gt; is it?"' in form
    assert "Typed &lt;i&gt;text&lt;/i&gt;</textarea>" in form
    assert not EmailDelivery.objects.exists() and not ShareLink.objects.exists()


def test_a_step_no_longer_escalated_says_so_and_sends_nothing(seller: Client, owner: Any) -> None:
    plan = seller_plan(owner)
    row = stale_buyer_step(plan)
    champion(plan)
    seller_row = Milestone.objects.filter(plan_id=plan["id"], owner_side="seller")[0]

    answer = seller.post(
        f"/plans/{plan['id']}/escalations/{seller_row.id}/send/",
        {"to": "priya@northwind.example", "subject": SUBJECT, "body": BODY},
    )

    assert answer.status_code == 400
    assert f"&#x27;{html.escape(seller_row.title)}&#x27; is not escalated" in (
        answer.content.decode()
    )
    assert f'data-escalation="{row.id}"' in answer.content.decode()
    assert not EmailDelivery.objects.exists()


def test_an_outsider_cannot_send_an_escalation_from_the_page(owner: Any, outsider: Any) -> None:
    plan = seller_plan(owner)
    row = stale_buyer_step(plan)
    champion(plan)
    browser = Client()
    browser.force_login(outsider)

    answer = browser.post(
        f"/plans/{plan['id']}/escalations/{row.id}/send/",
        {"to": "priya@northwind.example", "subject": SUBJECT, "body": BODY},
    )

    assert answer.status_code == 404
    assert not EmailDelivery.objects.exists()


def test_an_unknown_step_is_not_found_from_the_page(seller: Client, owner: Any) -> None:
    plan = seller_plan(owner)

    answer = seller.post(
        f"/plans/{plan['id']}/escalations/999999/send/",
        {"to": "priya@northwind.example", "subject": SUBJECT, "body": BODY},
    )

    assert answer.status_code == 404
    assert not EmailDelivery.objects.exists()

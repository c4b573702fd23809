"""Confirm from the link, row by row, and be asked again: a confirmed row whose date or owner
the seller changes is unconfirmed, and the champion gets one "please confirm again" email
(debounced: changes close together make one email) through the real queue and SMTP server."""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any

import pytest
from django.test import Client

from mutualplan.plans.models import EmailDelivery, Milestone
from tests.conftest import Api
from tests.mail.conftest import Inbox, parts, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def identified(token: str, name: str = "Priya Buyer", email: str = "priya@buyer.example") -> Client:
    client = Client()
    client.post(f"/s/{token}/", {"name": name, "email": email})
    return client


def later(row: dict[str, Any], days: int) -> str:
    return (dt.date.fromisoformat(row["due_date"]) + dt.timedelta(days=days)).isoformat()


def reconfirm_emails() -> list[EmailDelivery]:
    return list(EmailDelivery.objects.filter(kind="reconfirm").order_by("id"))


def all_sent() -> bool:
    found = reconfirm_emails()
    return bool(found) and all(d.status == "sent" for d in found)


@pytest.fixture
def quick(settings: Any) -> None:
    settings.RECONFIRM_DELAY_SECONDS = 1


def test_a_row_confirmed_from_the_link_then_moved_asks_the_champion_again_in_one_email(
    owner_api: Api,
    plan: dict[str, Any],
    share_token: str,
    smtp_server: Inbox,
    queue_consumer: Any,
    quick: None,
) -> None:
    champion = owner_api.post(
        f"/plans/{plan['id']}/stakeholders",
        {"name": "Carla Champion", "email": "carla@buyer.example", "role": "champion"},
    )
    assert champion.status_code == 201, champion.json_body
    security, legal, other = [m for m in plan["milestones"] if m["due_date"]][1:4]
    buyer = identified(share_token)
    for row in (security, legal):
        confirmed = buyer.post(f"/s/{share_token}/rows/{row['id']}/confirm/")
        assert confirmed.status_code == 302
    assert Milestone.objects.filter(confirmed_at__isnull=False).count() == 2

    # Two quick changes by the seller: one date moved (with its reason), one row re-owned.
    moved = owner_api.patch(
        f"/plans/{plan['id']}/milestones/{security['id']}",
        {
            "version": security["version"],
            "due_date": later(security, 5),
            "reason_category": "seller_side_delay",
            "reason_text": "kangaroo: our solutions engineer is out",
        },
    )
    assert moved.status_code == 200, moved.json_body
    reowned = owner_api.patch(
        f"/plans/{plan['id']}/milestones/{legal['id']}",
        {"version": legal["version"], "owner_team": "Outside counsel"},
    )
    assert reowned.status_code == 200, reowned.json_body
    # A row never confirmed asks nobody anything when it moves.
    owner_api.patch(
        f"/plans/{plan['id']}/milestones/{other['id']}",
        {"version": other["version"], "due_date": later(other, 2), "reason_category": "other"},
    )

    assert wait_for(all_sent, seconds=20)
    time.sleep(2.5)  # past the next window: a second email would be out by now
    [delivery] = reconfirm_emails()
    assert (delivery.recipient, delivery.status) == ("carla@buyer.example", "sent")
    assert delivery.subject.startswith("Please confirm again: 2 changed steps")
    [message] = [m for m in smtp_server.messages if "carla@buyer.example" in m["To"]]
    text = parts(message)["text/plain"]
    assert security["title"] in text and legal["title"] in text
    assert other["title"] not in text
    assert "kangaroo" not in text and "seller_side_delay" not in text
    # Her own link opens the plan, where the rows ask to be confirmed again.
    [link] = re.findall(r"http://127\.0\.0\.1:8000(/s/[\w-]+/)", text)
    page = identified(link.split("/")[2], "Carla Champion", "carla@buyer.example").get(link)
    body = page.content.decode()
    assert body.count("Changed since you confirmed — confirm again") == 2

    # Confirmed again from the link, then changed once more after the window: a new email.
    assert buyer.post(f"/s/{share_token}/rows/{security['id']}/confirm/").status_code == 302
    stored = Milestone.objects.get(id=security["id"])
    assert stored.confirmed_at is not None and stored.unconfirmed_at is None
    again = owner_api.patch(
        f"/plans/{plan['id']}/milestones/{security['id']}",
        {
            "version": stored.version,
            "due_date": later(security, 9),
            "reason_category": "seller_side_delay",
        },
    )
    assert again.status_code == 200, again.json_body
    assert wait_for(lambda: len(reconfirm_emails()) == 2 and all_sent(), seconds=20)
    second = parts(smtp_server.messages[-1])["text/plain"].replace("\r\n", "\n")
    asked, reminded = second.split("Still waiting for your confirmation from before: ")
    assert security["title"] in asked and legal["title"] not in asked
    assert reminded.startswith(f"{legal['title']}.")


def test_without_a_champion_the_last_buyer_who_confirmed_is_asked_again(
    owner_api: Api,
    plan: dict[str, Any],
    share_token: str,
    smtp_server: Inbox,
    queue_consumer: Any,
    quick: None,
) -> None:
    row = [m for m in plan["milestones"] if m["due_date"]][2]
    identified(share_token).post(f"/s/{share_token}/rows/{row['id']}/confirm/")

    moved = owner_api.patch(
        f"/plans/{plan['id']}/milestones/{row['id']}",
        {"version": row["version"], "due_date": later(row, 3), "reason_category": "other"},
    )

    assert moved.status_code == 200, moved.json_body
    assert wait_for(all_sent, seconds=20)
    [delivery] = reconfirm_emails()
    assert delivery.recipient == "priya@buyer.example"
    assert row["title"] in parts(smtp_server.messages[0])["text/plain"]


def test_a_retarget_that_moves_confirmed_rows_makes_one_request_per_window(
    owner_api: Api, plan: dict[str, Any], share_token: str
) -> None:
    from mutualplan.plans.services.reconfirm import request_confirmation_again

    identified(share_token).post(f"/s/{share_token}/confirm/")
    target = dt.date.fromisoformat(plan["target_date"])
    moved = owner_api.post(
        f"/plans/{plan['id']}/retarget",
        {
            "target_date": (target + dt.timedelta(days=7)).isoformat(),
            "version": plan["version"],
            "reason_category": "internal_readiness",
        },
    )
    assert moved.status_code == 200, moved.json_body
    assert Milestone.objects.filter(unconfirmed_at__isnull=False).count() == len(
        [m for m in plan["milestones"] if m["due_date"]]
    )

    first = request_confirmation_again(plan["id"])
    assert first is not None
    assert (first.delivery.kind, first.delivery.recipient) == ("reconfirm", "priya@buyer.example")
    assert first.link.startswith("http://127.0.0.1:8000/s/")
    # Within the window nothing more; after it, nothing either: no row changed since.
    assert request_confirmation_again(plan["id"]) is None
    later_on = first.delivery.created_at + dt.timedelta(seconds=301)
    assert request_confirmation_again(plan["id"], now=later_on) is None
    assert EmailDelivery.objects.filter(kind="reconfirm").count() == 1

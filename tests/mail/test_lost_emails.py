"""No accepted send is ever lost: an email the queue lost (a Redis without persistence that
restarted, a process that died between its commit and the enqueue, or one that died while
sending) is sent again by the sweep, with the recipient's own link; and two copies of one
send task email once."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from mutualplan.plans import tasks
from mutualplan.plans.actors import Actor
from mutualplan.plans.models import EmailDelivery, ShareLink
from mutualplan.plans.services.sharing import revoke_share_link
from tests.conftest import Api
from tests.mail.conftest import Inbox, parts, settled, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def send_lost(owner_api: Api, plan_id: int, monkeypatch: pytest.MonkeyPatch) -> int:
    """Send the plan with the queue losing the task; the delivery's id."""
    with monkeypatch.context() as lost:
        lost.setattr(tasks, "deliver_plan_email", lambda *args: None)
        response = owner_api.post(
            f"/plans/{plan_id}/send", {"recipients": ["priya@buyer.example"], "message": "Hi"}
        )
    assert response.status_code == 202, response.json_body
    return int(response.json_body["deliveries"][0]["id"])


def minutes_ago(minutes: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=minutes)


def test_an_email_the_queue_lost_is_sent_again_by_the_sweep_with_a_working_link(
    owner_api: Api,
    plan: dict[str, Any],
    smtp_server: Inbox,
    queue_consumer: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    delivery_id = send_lost(owner_api, plan["id"], monkeypatch)
    assert not wait_for(lambda: smtp_server.messages, seconds=1)
    # Not yet: a queued email is given ten minutes past its due time before it counts as lost.
    assert tasks.lost_emails(timezone.now()) == []
    EmailDelivery.objects.filter(id=delivery_id).update(next_attempt_at=minutes_ago(11))

    tasks.requeue_lost_emails.call_local()

    delivery = wait_for(lambda: settled(delivery_id))
    assert delivery is not None and delivery.status == "sent", delivery and delivery.last_error
    [received] = smtp_server.messages
    [link] = re.findall(r"http://127\.0\.0\.1:8000(/s/[\w-]+/)", parts(received)["text/plain"])
    page = Client().get(link)
    assert page.status_code == 200 and "Northwind Health" in page.content.decode()
    # The link is the one recorded for this recipient, not a new one.
    assert ShareLink.objects.filter(plan_id=plan["id"]).count() == 1


def test_two_copies_of_one_send_task_email_once(
    owner_api: Api,
    plan: dict[str, Any],
    smtp_server: Inbox,
    queue_consumer: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    delivery_id = send_lost(owner_api, plan["id"], monkeypatch)

    tasks.deliver_plan_email(delivery_id)
    tasks.deliver_plan_email(delivery_id)

    assert wait_for(lambda: settled(delivery_id))
    assert not wait_for(lambda: len(smtp_server.messages) > 1, seconds=2)
    assert smtp_server.recipients == ["priya@buyer.example"]
    assert EmailDelivery.objects.get(id=delivery_id).attempts == 1


def test_an_email_whose_sender_died_mid_send_is_sent_again(
    owner_api: Api,
    plan: dict[str, Any],
    smtp_server: Inbox,
    queue_consumer: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    delivery_id = send_lost(owner_api, plan["id"], monkeypatch)
    # A consumer claimed it, then its process died before recording anything.
    EmailDelivery.objects.filter(id=delivery_id).update(
        status=EmailDelivery.SENDING, attempts=1, last_attempt_at=minutes_ago(5)
    )
    assert tasks.lost_emails(timezone.now()) == []  # it may still be talking to the server
    EmailDelivery.objects.filter(id=delivery_id).update(last_attempt_at=minutes_ago(16))

    tasks.requeue_lost_emails.call_local()

    delivery = wait_for(lambda: settled(delivery_id))
    assert delivery is not None and delivery.status == "sent"
    assert delivery.attempts == 2
    assert smtp_server.recipients == ["priya@buyer.example"]


def test_an_email_whose_link_was_revoked_before_it_went_out_fails_saying_so(
    owner: Any,
    owner_api: Api,
    plan: dict[str, Any],
    smtp_server: Inbox,
    queue_consumer: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    delivery_id = send_lost(owner_api, plan["id"], monkeypatch)
    revoke_share_link(EmailDelivery.objects.get(id=delivery_id).share_link, Actor.seller(owner))

    tasks.deliver_plan_email(delivery_id)

    delivery = wait_for(lambda: settled(delivery_id))
    assert delivery is not None and delivery.status == "failed"
    assert "revoked" in delivery.last_error
    assert not smtp_server.messages
    page = Client()
    page.force_login(owner)
    assert "the share link was revoked" in page.get(f"/plans/{plan['id']}/").content.decode()


def test_a_lost_email_whose_link_cant_be_made_again_fails_visibly(
    owner_api: Api,
    plan: dict[str, Any],
    smtp_server: Inbox,
    queue_consumer: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    delivery_id = send_lost(owner_api, plan["id"], monkeypatch)
    # Made under another secret key (or before links were derived): its token is gone.
    link_id = EmailDelivery.objects.get(id=delivery_id).share_link_id
    ShareLink.objects.filter(id=link_id).update(salt="")

    tasks.deliver_plan_email(delivery_id)

    delivery = wait_for(lambda: settled(delivery_id))
    assert delivery is not None and delivery.status == "failed"
    assert "send the plan again" in delivery.last_error
    assert not smtp_server.messages


def test_a_digest_the_queue_lost_is_sent_again_and_one_a_day_old_fails_saying_so(
    owner: Any, smtp_server: Inbox, queue_consumer: Any
) -> None:
    from mutualplan.digests.models import DigestDelivery
    from mutualplan.digests.services import lost_digests, prepare
    from mutualplan.digests.tasks import deliver_digest
    from mutualplan.workspaces.clock import today_for
    from tests.conftest import make_plan
    from tests.mail.digest_data import seed_digest_plan

    plan = make_plan(owner)
    seed_digest_plan(plan)
    # Queued, and their tasks lost before any consumer saw them.
    queued = prepare(plan.workspace, today_for(plan.workspace)).queued
    assert len(queued) == 2
    old, lost = queued
    DigestDelivery.objects.filter(id=lost).update(next_attempt_at=minutes_ago(11))
    yesterday_but_one = today_for(plan.workspace) - dt.timedelta(days=2)
    DigestDelivery.objects.filter(id=old).update(day=yesterday_but_one)

    again = lost_digests(timezone.now())
    for delivery_id in again:
        deliver_digest(delivery_id)

    assert again == [lost]
    assert wait_for(lambda: smtp_server.messages)
    assert not wait_for(lambda: len(smtp_server.messages) > 1, seconds=1)
    assert DigestDelivery.objects.get(id=lost).status == "sent"
    failed = DigestDelivery.objects.get(id=old)
    assert failed.status == "failed" and "not sent in its day" in failed.last_error

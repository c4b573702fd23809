"""Webhooks delivered for real: a receiver on loopback gets each event as signed JSON through
the queue, retries are logged, and a slow endpoint never slows the user's write."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import pytest
from django.test import override_settings

from mutualplan.webhooks.models import WebhookDelivery
from mutualplan.workspaces.models import Workspace
from tests.conftest import Api, day
from tests.webhooks.conftest import Receiver, add_endpoint, settled_deliveries

pytestmark = pytest.mark.django_db(transaction=True)


def edit_first_row(api: Api, plan: dict[str, Any], **fields: Any) -> Any:
    row = plan["milestones"][0]
    started = time.monotonic()
    response = api.patch(f"/plans/{plan['id']}/milestones/{row['id']}", {"version": 1, **fields})
    response.elapsed = time.monotonic() - started
    assert response.status_code == 200, response.json_body
    return response


def test_a_milestone_update_delivers_milestone_updated_whose_signature_verifies_with_the_secret(
    owner_api: Api,
    plan: dict[str, Any],
    private_allowed: Workspace,
    receiver: Receiver,
    queue_consumer: Any,
) -> None:
    endpoint = add_endpoint(owner_api, receiver.url, "milestone.updated")
    secret = endpoint["secret"]

    edit_first_row(owner_api, plan, status="in_progress", private_notes="wombat: budget is thin")

    [delivery] = settled_deliveries(owner_api, endpoint["id"])
    assert delivery["status"] == "sent", delivery
    assert delivery["attempts"] == 1 and delivery["response_status"] == 200
    [received] = receiver.requests
    assert received.path == "/hooks/mutualplan"
    assert received.headers["Content-Type"] == "application/json"
    assert received.headers["X-Mutualplan-Event"] == "milestone.updated"
    assert received.headers["X-Mutualplan-Delivery"] == delivery["id"]
    expected = hmac.new(secret.encode(), received.body, hashlib.sha256).hexdigest()
    assert received.headers["X-Mutualplan-Signature"] == f"sha256={expected}"
    wrong = hmac.new(b"another secret", received.body, hashlib.sha256).hexdigest()
    assert received.headers["X-Mutualplan-Signature"] != f"sha256={wrong}"
    body = json.loads(received.body)
    assert body["id"] == delivery["id"]
    assert body["event"] == "milestone.updated"
    assert body["workspace"] == "acme"
    assert body["plan"]["id"] == plan["id"]
    assert body["plan"]["account_name"] == "Northwind Health"
    assert body["plan"]["target_date"] == plan["target_date"]
    assert body["plan"]["url"] == f"http://127.0.0.1:8000/plans/{plan['id']}/"
    assert body["milestone"]["id"] == plan["milestones"][0]["id"]
    assert body["milestone"]["status"] == "in_progress"
    assert "status" in body["data"]["fields"]
    assert "wombat" not in received.body.decode()


def test_an_endpoint_answering_500_then_200_is_retried_and_both_attempts_are_logged(
    owner_api: Api,
    plan: dict[str, Any],
    private_allowed: Workspace,
    flaky_receiver: Receiver,
    queue_consumer: Any,
) -> None:
    endpoint = add_endpoint(owner_api, flaky_receiver.url, "milestone.updated")

    edit_first_row(owner_api, plan, status="done")

    [delivery] = settled_deliveries(owner_api, endpoint["id"])
    assert delivery["status"] == "sent"
    assert delivery["attempts"] == 2
    first, second = delivery["log"]
    assert first["status"] == 500 and "answered 500" in first["error"]
    assert second["status"] == 200 and second["error"] == ""
    assert len(flaky_receiver.requests) == 2
    # The same delivery both times: a receiver can tell a retry by its id.
    ids = {r.headers["X-Mutualplan-Delivery"] for r in flaky_receiver.requests}
    assert ids == {delivery["id"]}


def test_an_endpoint_that_always_fails_is_marked_failed_after_the_last_attempt_on_the_page(
    owner: Any,
    owner_api: Api,
    plan: dict[str, Any],
    private_allowed: Workspace,
    queue_consumer: Any,
) -> None:
    from django.test import Client

    from tests.webhooks.conftest import start_receiver

    for broken in start_receiver(Receiver(statuses=[503])):
        endpoint = add_endpoint(owner_api, broken.url, "milestone.updated")
        edit_first_row(owner_api, plan, status="blocked")
        [delivery] = settled_deliveries(owner_api, endpoint["id"])
        assert delivery["status"] == "failed"
        assert delivery["attempts"] == 3
        assert [a["status"] for a in delivery["log"]] == [503, 503, 503]
        assert delivery["last_error"] == "answered 503: server on fire"
        seller = Client()
        seller.force_login(owner)
        page = seller.get("/settings/").content.decode()
        assert broken.url in page
        assert "Failed" in page and "answered 503: server on fire" in page


def test_a_redirect_is_not_followed(
    owner_api: Api, plan: dict[str, Any], private_allowed: Workspace, queue_consumer: Any
) -> None:
    from tests.webhooks.conftest import start_receiver

    for moved in start_receiver(Receiver(statuses=[302])):
        endpoint = add_endpoint(owner_api, moved.url, "milestone.updated")
        edit_first_row(owner_api, plan, status="done")
        [delivery] = settled_deliveries(owner_api, endpoint["id"])
        assert delivery["status"] == "failed"
        assert all(r.path == "/hooks/mutualplan" for r in moved.requests)
        assert len(moved.requests) == 3 and delivery["response_status"] == 302


def test_an_endpoint_that_hangs_never_slows_the_users_write(
    owner_api: Api,
    plan: dict[str, Any],
    private_allowed: Workspace,
    slow_receiver: Receiver,
    queue_consumer: Any,
) -> None:
    row = plan["milestones"][1]
    path = f"/plans/{plan['id']}/milestones/{row['id']}"
    # Without webhooks: the write's own time (a few warm-up writes first).
    timings = []
    for version, status in enumerate(["in_progress", "blocked", "in_progress"], start=1):
        started = time.monotonic()
        assert owner_api.patch(path, {"version": version, "status": status}).status_code == 200
        timings.append(time.monotonic() - started)
    without = min(timings)

    endpoint = add_endpoint(owner_api, slow_receiver.url, "milestone.updated")
    with override_settings(WEBHOOK_ATTEMPTS=1):
        started = time.monotonic()
        response = owner_api.patch(path, {"version": 4, "status": "done"})
        elapsed = time.monotonic() - started
        assert response.status_code == 200
        assert response.json_body["status"] == "done"
        # The endpoint takes 3 s; the write answers in its usual time.
        assert elapsed < 1.0, elapsed
        assert elapsed < without + 0.5, (elapsed, without)
        [delivery] = settled_deliveries(owner_api, endpoint["id"])
    assert delivery["status"] == "failed"
    assert delivery["last_error"] == "no answer within 2 s"
    assert len(slow_receiver.requests) == 1


def test_only_the_events_an_endpoint_subscribes_to_are_delivered(
    owner_api: Api,
    plan: dict[str, Any],
    private_allowed: Workspace,
    receiver: Receiver,
    queue_consumer: Any,
) -> None:
    retargets = add_endpoint(owner_api, receiver.url, "plan.retargeted", "plan.slipped")

    edit_first_row(owner_api, plan, notes="shared note")
    response = owner_api.post(
        f"/plans/{plan['id']}/retarget", {"target_date": day(100), "version": plan["version"]}
    )
    assert response.status_code == 200, response.json_body

    moved_rows = [m for m in plan["milestones"] if m["anchored"] and m["status"] != "done"]
    settled_deliveries(owner_api, retargets["id"], 2 + len(moved_rows))
    assert "milestone.updated" not in receiver.events()
    assert receiver.events().count("plan.retargeted") == 1
    slips = [json.loads(r.body) for r in receiver.requests if b'"plan.slipped"' in r.body]
    target = [s for s in slips if s["milestone"] is None]
    assert len(target) == 1
    assert target[0]["data"]["from"] == plan["target_date"]
    assert target[0]["data"]["to"] == day(100)
    assert target[0]["plan"]["target_date"] == day(100)
    assert all(s["data"]["days"] == 10 for s in slips)
    assert WebhookDelivery.objects.filter(endpoint_id=retargets["id"]).count() == len(
        receiver.requests
    )


def test_a_rolled_back_write_sends_nothing(
    owner_api: Api,
    plan: dict[str, Any],
    private_allowed: Workspace,
    receiver: Receiver,
    queue_consumer: Any,
) -> None:
    endpoint = add_endpoint(owner_api, receiver.url, "milestone.updated", "plan.slipped")
    row = plan["milestones"][0]

    # A stale version: refused, nothing written, nothing sent.
    response = owner_api.patch(
        f"/plans/{plan['id']}/milestones/{row['id']}", {"version": 9, "status": "done"}
    )

    assert response.status_code == 409
    time.sleep(0.5)
    assert owner_api.get(f"/webhooks/{endpoint['id']}/deliveries").json_body == []
    assert receiver.requests == []


def test_a_milestone_added_by_the_buyer_is_milestone_created(
    owner_api: Api,
    anonymous_api: Api,
    plan: dict[str, Any],
    share_token: str,
    private_allowed: Workspace,
    receiver: Receiver,
    queue_consumer: Any,
) -> None:
    from tests.conftest import BUYER

    endpoint = add_endpoint(owner_api, receiver.url, "milestone.created", "plan.confirmed")

    added = anonymous_api.post(
        f"/shared/{share_token}/milestones",
        {"actor": BUYER, "title": "IT sign-off", "due_date": day(30)},
    )
    assert added.status_code == 201, added.json_body
    assert anonymous_api.post(f"/shared/{share_token}/confirm", {"actor": BUYER}).status_code == 200

    settled_deliveries(owner_api, endpoint["id"], 2)
    created, confirmed = (json.loads(r.body) for r in receiver.requests)
    assert created["event"] == "milestone.created"
    assert created["milestone"]["title"] == "IT sign-off"
    assert created["data"]["actor"] == {"kind": "buyer", "name": "Priya Champion"}
    assert confirmed["event"] == "plan.confirmed"


def test_a_clean_version_sent_is_plan_sent(
    owner_api: Api,
    plan: dict[str, Any],
    private_allowed: Workspace,
    receiver: Receiver,
    queue_consumer: Any,
) -> None:
    endpoint = add_endpoint(owner_api, receiver.url, "plan.sent")

    response = owner_api.post(f"/plans/{plan['id']}/versions", {"note": "first clean version"})
    assert response.status_code == 201, response.json_body

    [delivery] = settled_deliveries(owner_api, endpoint["id"])
    assert delivery["status"] == "sent"
    [sent] = [json.loads(r.body) for r in receiver.requests]
    assert sent["event"] == "plan.sent"
    assert sent["milestone"] is None
    assert sent["data"]["number"] == 1

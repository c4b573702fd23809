"""Webhook endpoints through the API: internal addresses refused unless the workspace allows
them (when saved and again when delivering), bad input listed, and workspaces kept apart."""

from __future__ import annotations

import time
from typing import Any

import pytest

from mutualplan.webhooks.models import WebhookDelivery, WebhookEndpoint
from mutualplan.workspaces.models import Workspace
from tests.conftest import Api
from tests.webhooks.conftest import Receiver, add_endpoint, settled_deliveries

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://127.0.0.1:8080/hook", "127.0.0.1 is a loopback address"),
        ("http://localhost/hook", "is a loopback address"),
        ("http://10.1.2.3/hook", "10.1.2.3 is a private address"),
        ("http://192.168.0.10/hook", "192.168.0.10 is a private address"),
        ("http://169.254.169.254/latest/meta-data", "169.254.169.254 is a link-local address"),
        ("http://0.0.0.0/hook", "0.0.0.0 is an unspecified address"),
        ("http://[::1]/hook", "::1 is a loopback address"),
        ("http://[::ffff:127.0.0.1]/hook", "::ffff:127.0.0.1 is a loopback address"),
        ("http://[fd00::1]/hook", "fd00::1 is a private address"),
        ("http://[fe80::1]/hook", "fe80::1 is a link-local address"),
        ("http://224.0.0.1/hook", "224.0.0.1 is a multicast address"),
        ("http://100.64.0.1/hook", "100.64.0.1 is not a public address"),
        ("http://2130706433/hook", "127.0.0.1 is a loopback address"),
    ],
)
def test_an_endpoint_on_an_internal_address_is_refused_when_the_workspace_does_not_allow_it(
    owner_api: Api, url: str, why: str
) -> None:
    response = owner_api.post("/webhooks", {"url": url, "events": ["plan.sent"]})

    assert response.status_code == 400, response.json_body
    [error] = response.json_body["errors"]
    assert error["field"] == "url"
    assert why in error["message"]
    assert "does not allow webhooks to private addresses" in error["message"]
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("ftp://hooks.example.com/x", "must start with http:// or https://"),
        ("file:///etc/passwd", "must start with http:// or https://"),
        ("https://", "has no host name"),
        ("https://user:pw@hooks.example.com/", "must not contain a user name or password"),
        ("https://hooks.example.com:99999/", "is not a valid URL"),
        ("", "enter the endpoint's URL"),
    ],
)
def test_a_url_that_is_not_http_or_https_is_refused_even_when_private_addresses_are_allowed(
    owner_api: Api, private_allowed: Workspace, url: str, why: str
) -> None:
    response = owner_api.post("/webhooks", {"url": url, "events": ["plan.sent"]})

    assert response.status_code == 400
    assert why in response.json_body["errors"][0]["message"]
    assert not WebhookEndpoint.objects.exists()


def test_unknown_or_missing_events_are_refused_with_the_url_error_too(owner_api: Api) -> None:
    response = owner_api.post("/webhooks", {"url": "http://10.0.0.1/", "events": ["plan.won"]})

    assert response.status_code == 400
    fields = {e["field"]: e["message"] for e in response.json_body["errors"]}
    assert set(fields) == {"url", "events"}
    assert "unknown event 'plan.won'" in fields["events"]
    response = owner_api.post("/webhooks", {"url": "http://10.0.0.1/", "events": []})
    assert response.status_code == 400
    assert response.json_body["errors"] == [
        {"field": "url", "message": response.json_body["errors"][0]["message"]},
        {"field": "events", "message": "choose at least one event"},
    ]
    assert not WebhookEndpoint.objects.exists()


def test_a_host_that_does_not_resolve_is_refused(owner_api: Api) -> None:
    response = owner_api.post(
        "/webhooks", {"url": "https://no-such-host.invalid/hook", "events": ["plan.sent"]}
    )

    assert response.status_code == 400
    assert "could not be resolved" in response.json_body["errors"][0]["message"]


def test_a_private_address_allowed_when_saved_is_refused_at_delivery_once_disallowed(
    owner_api: Api,
    plan: dict[str, Any],
    private_allowed: Workspace,
    receiver: Receiver,
    queue_consumer: Any,
) -> None:
    endpoint = add_endpoint(owner_api, receiver.url, "milestone.updated")
    private_allowed.allow_private_webhooks = False
    private_allowed.save(update_fields=["allow_private_webhooks"])

    row = plan["milestones"][0]
    owner_api.patch(f"/plans/{plan['id']}/milestones/{row['id']}", {"version": 1, "notes": "x"})

    [delivery] = settled_deliveries(owner_api, endpoint["id"])
    assert delivery["status"] == "failed"
    assert delivery["response_status"] is None
    assert delivery["last_error"].startswith("refused: 127.0.0.1 is a loopback address")
    assert receiver.requests == []


def test_the_secret_is_given_when_the_endpoint_is_added_and_the_list_shows_its_start(
    owner_api: Api, teammate_api: Api, private_allowed: Workspace
) -> None:
    created = add_endpoint(owner_api, "http://10.0.0.7/hook", "plan.sent", "milestone.created")

    assert created["secret"].startswith("whsec_") and len(created["secret"]) > 40
    assert created["events"] == ["milestone.created", "plan.sent"]
    [listed] = teammate_api.get("/webhooks").json_body
    assert listed["url"] == "http://10.0.0.7/hook"
    assert "secret" not in listed
    assert created["secret"].startswith(listed["secret_prefix"])
    assert WebhookEndpoint.objects.get().secret == created["secret"]


def test_an_outsider_workspace_can_neither_see_nor_delete_the_endpoints(
    owner_api: Api,
    outsider_api: Api,
    plan: dict[str, Any],
    private_allowed: Workspace,
    receiver: Receiver,
    queue_consumer: Any,
) -> None:
    endpoint = add_endpoint(owner_api, receiver.url, "milestone.updated")
    row = plan["milestones"][0]
    owner_api.patch(f"/plans/{plan['id']}/milestones/{row['id']}", {"version": 1, "notes": "x"})
    settled_deliveries(owner_api, endpoint["id"])

    assert outsider_api.get("/webhooks").json_body == []
    seen = outsider_api.get(f"/webhooks/{endpoint['id']}/deliveries")
    assert seen.status_code == 404
    assert seen.json_body["detail"] == f"this workspace has no webhook endpoint {endpoint['id']}"
    assert outsider_api.delete(f"/webhooks/{endpoint['id']}").status_code == 404
    assert WebhookEndpoint.objects.filter(id=endpoint["id"]).exists()
    assert WebhookDelivery.objects.filter(endpoint_id=endpoint["id"]).count() == 1


def test_an_outsiders_plan_changes_send_nothing_to_this_workspaces_endpoints(
    owner_api: Api,
    outsider_api: Api,
    private_allowed: Workspace,
    receiver: Receiver,
    queue_consumer: Any,
) -> None:
    from tests.conftest import new_plan

    add_endpoint(owner_api, receiver.url, "milestone.updated")
    theirs = new_plan(outsider_api)
    row = theirs["milestones"][0]
    response = outsider_api.patch(
        f"/plans/{theirs['id']}/milestones/{row['id']}", {"version": 1, "status": "done"}
    )
    assert response.status_code == 200

    time.sleep(0.5)
    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()


def test_a_removed_endpoint_is_gone_with_its_deliveries(
    owner_api: Api, private_allowed: Workspace
) -> None:
    endpoint = add_endpoint(owner_api, "http://10.0.0.7/hook", "plan.sent")

    assert owner_api.delete(f"/webhooks/{endpoint['id']}").status_code == 204

    assert owner_api.get("/webhooks").json_body == []
    assert owner_api.delete(f"/webhooks/{endpoint['id']}").status_code == 404

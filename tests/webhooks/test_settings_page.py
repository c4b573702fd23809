"""Webhooks on the workspace settings page: add an endpoint with its events (a refusal keeps
what was typed), see its secret and recent deliveries, remove it; and the owner's switch for
private addresses."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from mutualplan.webhooks.models import WebhookEndpoint
from mutualplan.workspaces.models import Membership, Workspace

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller(owner: Any) -> Client:
    client = Client()
    client.force_login(owner)
    return client


def test_a_seller_adds_an_endpoint_and_sees_it_with_its_events_and_secret(
    seller: Client, private_allowed: Workspace
) -> None:
    response = seller.post(
        "/settings/webhooks/",
        {"url": "http://10.0.0.5/hooks", "events": ["plan.sent", "step.stale"]},
    )

    assert response.status_code == 302
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == ["plan.sent", "step.stale"]
    page = seller.get("/settings/").content.decode()
    assert "http://10.0.0.5/hooks" in page
    assert endpoint.secret in page
    assert "No deliveries yet." in page


def test_a_refused_endpoint_shows_why_and_keeps_the_url_and_events_typed(
    seller: Client, workspace: Workspace
) -> None:
    response = seller.post(
        "/settings/webhooks/",
        {"url": "http://127.0.0.1:9/<b>x</b>", "events": ["plan.sent"]},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "No endpoint was saved" in page
    assert "127.0.0.1 is a loopback address" in page
    assert 'value="http://127.0.0.1:9/&lt;b&gt;x&lt;/b&gt;"' in page
    assert "<b>x</b>" not in page
    assert 'value="plan.sent" checked' in page
    assert 'value="step.stale" checked' not in page
    assert not WebhookEndpoint.objects.exists()


def test_an_endpoint_with_no_event_is_refused_on_the_page(
    seller: Client, private_allowed: Workspace
) -> None:
    response = seller.post("/settings/webhooks/", {"url": "http://10.0.0.5/hooks"})

    assert response.status_code == 400
    assert "choose at least one event" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_a_seller_removes_an_endpoint_and_cannot_remove_another_workspaces(
    seller: Client, private_allowed: Workspace, other_workspace: Workspace
) -> None:
    ours = WebhookEndpoint.objects.create(
        workspace=private_allowed, url="http://10.0.0.5/a", events=["plan.sent"]
    )
    theirs = WebhookEndpoint.objects.create(
        workspace=other_workspace, url="http://10.0.0.6/b", events=["plan.sent"]
    )
    assert "http://10.0.0.6/b" not in seller.get("/settings/").content.decode()

    refused = seller.post(f"/settings/webhooks/{theirs.id}/remove/")
    assert refused.status_code == 404
    assert f"this workspace has no webhook endpoint {theirs.id}" in refused.content.decode()
    assert seller.post(f"/settings/webhooks/{ours.id}/remove/").status_code == 302

    assert list(WebhookEndpoint.objects.values_list("id", flat=True)) == [theirs.id]


def test_only_an_owner_allows_webhooks_to_private_addresses(
    seller: Client, owner: Any, workspace: Workspace
) -> None:
    values = {
        "time_zone": "UTC",
        "review_interval_days": "14",
        "stale_days": "14",
        "buyer_silent_days": "14",
        "quarter_end_window_days": "7",
        "fiscal_year_start_month": "1",
        "max_open_steps": "30",
        "allow_private_webhooks": "on",
    }
    assert seller.post("/settings/", values).status_code == 403
    workspace.refresh_from_db()
    assert workspace.allow_private_webhooks is False

    Membership.objects.filter(user=owner).update(role=Membership.Role.OWNER)
    assert seller.post("/settings/", values).status_code == 302
    workspace.refresh_from_db()
    assert workspace.allow_private_webhooks is True
    assert 'name="allow_private_webhooks" type="checkbox" checked' in (
        seller.get("/settings/").content.decode()
    )
    del values["allow_private_webhooks"]
    assert seller.post("/settings/", values).status_code == 302
    workspace.refresh_from_db()
    assert workspace.allow_private_webhooks is False

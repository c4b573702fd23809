"""The workspace's outbound webhooks: endpoints (added and removed by its sellers) and the
log of what was delivered to each."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from mutualplan.api.auth import seller
from mutualplan.api.responses import answers
from mutualplan.api.schemas.webhooks import (
    WebhookDeliveryOut,
    WebhookEndpointCreatedOut,
    WebhookEndpointOut,
)
from mutualplan.inputs.webhooks import WebhookCreate
from mutualplan.webhooks import services
from mutualplan.webhooks.models import WebhookDelivery, WebhookEndpoint

router = Router(tags=["webhooks"])
SELLER = 401
FOUND = 404
BODY = (400, 413, 415)


def endpoint_dict(endpoint: WebhookEndpoint, with_secret: bool = False) -> dict[str, Any]:
    found = {
        "id": endpoint.id,
        "url": endpoint.url,
        "events": list(endpoint.events),
        "active": endpoint.active,
        "created_at": endpoint.created_at,
        "secret_prefix": endpoint.secret[:12],
    }
    if with_secret:
        found["secret"] = endpoint.secret
    return found


def delivery_dict(delivery: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": str(delivery.uuid),
        "event": delivery.event,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "response_status": delivery.response_status,
        "last_error": delivery.last_error,
        "created_at": delivery.created_at,
        "delivered_at": delivery.delivered_at,
        "log": delivery.log,
        "payload": delivery.payload,
    }


@router.get("/webhooks", response=answers({200: list[WebhookEndpointOut]}, SELLER))
def list_webhooks(request: HttpRequest) -> list[dict[str, Any]]:
    """The workspace's webhook endpoints and the events each receives."""
    workspace, _ = seller(request)
    return [endpoint_dict(e) for e in services.endpoints(workspace)]


@router.post("/webhooks", response=answers({201: WebhookEndpointCreatedOut}, SELLER, *BODY))
def add_webhook(request: HttpRequest, payload: WebhookCreate) -> Status[Any]:
    """Add an endpoint; the answer holds its signing secret."""
    workspace, actor = seller(request)
    endpoint = services.add_endpoint(actor.user, workspace, payload.url, payload.events)
    return Status(201, endpoint_dict(endpoint, with_secret=True))


@router.delete("/webhooks/{int:endpoint_id}", response=answers({204: None}, SELLER, FOUND))
def remove_webhook(request: HttpRequest, endpoint_id: int) -> Status[Any]:
    """Remove an endpoint and its delivery log."""
    workspace, actor = seller(request)
    services.remove_endpoint(actor.user, workspace, endpoint_id)
    return Status(204, None)


@router.get(
    "/webhooks/{int:endpoint_id}/deliveries",
    response=answers({200: list[WebhookDeliveryOut]}, SELLER, FOUND),
)
def list_deliveries(request: HttpRequest, endpoint_id: int) -> list[dict[str, Any]]:
    """The endpoint's latest deliveries, newest first, each with every attempt."""
    workspace, _ = seller(request)
    endpoint = services.get_endpoint(workspace, endpoint_id)
    return [delivery_dict(d) for d in services.recent_deliveries(endpoint, 100)]

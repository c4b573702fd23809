"""Shapes of webhook endpoints and their deliveries (seller only)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import Field

from mutualplan.api.schemas.errors import Out


class WebhookEndpointOut(Out):
    id: int
    url: str
    events: list[str]
    active: bool
    created_at: dt.datetime
    secret_prefix: str = Field(description="The start of the signing secret, to tell it apart.")


class WebhookEndpointCreatedOut(WebhookEndpointOut):
    secret: str = Field(
        description="Signs each delivery: `X-Mutualplan-Signature: sha256=<hex HMAC-SHA256 of "
        "the raw body>`. Shown in full here and on the workspace settings page."
    )


class WebhookAttemptOut(Out):
    at: dt.datetime
    status: int | None = Field(description="The HTTP status answered; null when none was.")
    error: str = Field(description="What went wrong (blank on a 2xx).")


class WebhookDeliveryOut(Out):
    id: str = Field(description="The delivery's id, as in `X-Mutualplan-Delivery`.")
    event: str
    status: str = Field(description="queued, sent or failed (after every attempt).")
    attempts: int
    response_status: int | None
    last_error: str
    created_at: dt.datetime
    delivered_at: dt.datetime | None
    log: list[WebhookAttemptOut]
    payload: dict[str, Any]

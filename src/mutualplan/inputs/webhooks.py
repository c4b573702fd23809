"""What a workspace owner sends to add a webhook endpoint."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from mutualplan.inputs.fields import In

EventName = Annotated[str, StringConstraints(max_length=40)]


class WebhookCreate(In):
    url: str = Field(
        max_length=500,
        description="http(s) URL that receives a signed POST per event. Private, loopback and "
        "link-local addresses are refused unless the workspace allows them.",
    )
    events: list[EventName] = Field(
        max_length=20,
        description="The events to receive: milestone.created, milestone.updated, "
        "plan.retargeted, plan.slipped, plan.sent, plan.confirmed, step.stale.",
    )

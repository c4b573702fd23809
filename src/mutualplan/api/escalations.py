"""Escalation emails through the API: send the drafted escalation of a stale buyer step."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from mutualplan.api.auth import seller
from mutualplan.api.responses import answers
from mutualplan.api.schemas.diagnostics import EscalationDeliveryOut, EscalationSendIn
from mutualplan.plans import access
from mutualplan.plans.services import escalating

router = Router(tags=["plans"])


@router.post(
    "/plans/{int:plan_id}/escalations/{int:milestone_id}/send",
    response=answers({202: EscalationDeliveryOut}, 401, 404, 400, 413, 415),
)
def send_escalation(
    request: HttpRequest, plan_id: int, milestone_id: int, payload: EscalationSendIn
) -> Status[Any]:
    """Email the escalation of a stale buyer step to one person on the buyer's side, with a
    share link of their own; `to`, `subject` and `body` default to the draft of
    `GET /plans/{id}/escalations`. Answers at once (202) with the queued email; its outcome
    (sent, or failed with its reason after retries) shows on the plan page. 400 when the
    step is not escalated or there is no address to send to."""
    workspace, actor = seller(request)
    plan = access.get_plan(workspace, plan_id)
    delivery = escalating.send_escalation(
        plan, actor, milestone_id, payload.to, payload.subject, payload.body
    )
    return Status(202, delivery)

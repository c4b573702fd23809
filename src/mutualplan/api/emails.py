"""The emails the app sent, or is sending, about a plan: one row per recipient with its
outcome, so that a failed send is visible through the API as on the plan page."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router

from mutualplan.api.auth import seller
from mutualplan.api.responses import answers
from mutualplan.api.schemas.plans import EmailDeliveryOut
from mutualplan.plans import access
from mutualplan.plans.models import EmailDelivery

router = Router(tags=["plans"])
SELLER = 401
FOUND = 404
# The newest emails of a plan, at most.
LIMIT = 200


@router.get(
    "/plans/{int:plan_id}/emails", response=answers({200: list[EmailDeliveryOut]}, SELLER, FOUND)
)
def list_emails(request: HttpRequest, plan_id: int) -> QuerySet[EmailDelivery]:
    """Every email sent about the plan, newest first: queued, sent, or failed with the
    reason of its last attempt."""
    workspace, _ = seller(request)
    plan = access.get_plan(workspace, plan_id)
    return plan.email_deliveries.order_by("-created_at", "-id")[:LIMIT]

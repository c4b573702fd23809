"""One error shape for every 4xx: {"detail": ..., "errors": [{"field", "message"}]}."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from pydantic import BaseModel

from mutualplan.api.buyer_schemas import BuyerMilestoneConflictOut
from mutualplan.api.responses import render
from mutualplan.api.schemas.milestones import SellerMilestoneConflictOut
from mutualplan.api.schemas.plans import SellerPlanConflictOut
from mutualplan.inputs.errors import field_errors
from mutualplan.plans import buyer_view
from mutualplan.plans.errors import Conflict, DomainError
from mutualplan.plans.models import Milestone, Plan
from mutualplan.plans.seller_view import plan_dict, row_dict
from mutualplan.workspaces.clock import today_for


def conflict_answer(request: HttpRequest, current: object) -> tuple[type[BaseModel], Any]:
    """The declared 409 shape of the route that was called, and the state that won in it:
    the buyer's row on a share-link route, else the seller's row or plan."""
    match = request.resolver_match
    token = match.kwargs.get("token") if match else None
    if isinstance(current, Milestone) and token:
        return BuyerMilestoneConflictOut, asdict(
            buyer_view.buyer_milestone(current.plan, current.id)
        )
    if isinstance(current, Milestone):
        return SellerMilestoneConflictOut, row_dict(current, today_for(current.plan.workspace))
    if isinstance(current, Plan):
        return SellerPlanConflictOut, plan_dict(current)
    raise TypeError(f"no 409 shape for {type(current).__name__}")


def install(api: NinjaAPI) -> None:
    def respond(
        request: HttpRequest, status: int, detail: str, errors: list[dict[str, str]], **extra: Any
    ) -> HttpResponse:
        return api.create_response(
            request, {"detail": detail, "errors": errors, **extra}, status=status
        )

    @api.exception_handler(ValidationError)
    def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = field_errors(exc.errors)
        if not errors:
            errors = [{"field": "body", "message": "is not valid JSON"}]
        first = errors[0]
        return respond(request, 400, f"{first['field']}: {first['message']}", errors)

    @api.exception_handler(Conflict)
    def on_conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
        # Encoded as the routes encode their answers (`responses.render`), so `current` reads
        # exactly like the body a successful write returns (times to the microsecond).
        schema, current = conflict_answer(request, exc.current)
        body = {"detail": exc.detail, "errors": exc.errors, "current": current}
        return render(schema, body, 409)

    @api.exception_handler(DomainError)
    def on_domain(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return respond(request, exc.status, exc.detail, exc.errors)

    @api.exception_handler(AuthenticationError)
    def on_auth(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return respond(
            request,
            401,
            "send a valid API token: Authorization: Bearer <token>",
            [{"field": "Authorization", "message": "missing, unknown or revoked"}],
        )

    @api.exception_handler(Http404)
    def on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, 404, str(exc) or "not found", [])

    @api.exception_handler(HttpError)
    def on_http(request: HttpRequest, exc: HttpError) -> HttpResponse:
        errors = [{"field": "body", "message": str(exc)}] if exc.status_code == 400 else []
        return respond(request, exc.status_code, str(exc), errors)

"""How page actions answer: JSON for the page's own scripts, a redirect for plain forms."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from functools import wraps
from typing import Any, TypeVar

import pydantic
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

from mutualplan.inputs.errors import field_errors
from mutualplan.plans.buyer_view import buyer_milestone
from mutualplan.plans.errors import Conflict, DomainError
from mutualplan.plans.models import Milestone, Plan
from mutualplan.plans.seller_view import plan_dict, row_dict
from mutualplan.workspaces.clock import today_for

F = TypeVar("F", bound=Callable[..., HttpResponse])


def wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def parse(schema: type[pydantic.BaseModel], data: dict[str, Any]) -> Any:
    """Validate form fields with the API's own request schema (one set of rules)."""
    return schema.model_validate(data)


def answer(
    request: HttpRequest, back: str, payload: dict[str, Any], status: int = 200, message: str = ""
) -> HttpResponse:
    if wants_json(request):
        return JsonResponse(payload, status=status)
    if message:
        messages.success(request, message)
    return redirect(back)


def page_action(back: Callable[..., str]) -> Callable[[F], F]:
    """Turn domain and validation errors into the API's error shape (JSON) or a flash message.

    `back(request, **kwargs)` names the page a plain form returns to.
    """

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                return view(request, *args, **kwargs)
            except pydantic.ValidationError as exc:
                errors = field_errors(exc.errors())
                detail = f"{errors[0]['field']}: {errors[0]['message']}"
                return _error(request, back(request, **kwargs), 400, detail, errors)
            except Conflict as exc:
                current = current_state(request, exc.current) if wants_json(request) else None
                return _error(
                    request, back(request, **kwargs), 409, exc.detail, exc.errors, current=current
                )
            except Http404 as exc:
                if not wants_json(request):
                    raise
                return JsonResponse({"detail": str(exc), "errors": []}, status=404)
            except DomainError as exc:
                return _error(request, back(request, **kwargs), exc.status, exc.detail, exc.errors)

        return wrapper  # type: ignore[return-value]

    return decorate


def current_state(request: HttpRequest, current: object) -> dict[str, Any]:
    """What won a 409, for the page's script to show: the buyer's row on a share page, the
    seller's row or plan on the seller's pages."""
    match = request.resolver_match
    token = match.kwargs.get("token") if match else None
    if isinstance(current, Milestone) and token:
        return asdict(buyer_milestone(current.plan, current.id))
    if isinstance(current, Milestone):
        return row_dict(current, today_for(current.plan.workspace))
    if isinstance(current, Plan):
        return plan_dict(current)
    raise TypeError(f"no 409 shape for {type(current).__name__}")


def _error(
    request: HttpRequest,
    back: str,
    status: int,
    detail: str,
    errors: list[dict[str, str]],
    **extra: Any,
) -> HttpResponse:
    if wants_json(request):
        return JsonResponse({"detail": detail, "errors": errors, **extra}, status=status)
    messages.error(request, detail)
    return redirect(back)

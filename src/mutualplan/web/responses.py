"""How page actions answer: JSON for the page's own scripts, a redirect for plain forms."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import pydantic
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

from mutualplan.inputs.errors import field_errors
from mutualplan.plans.errors import Conflict, DomainError

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
                return _error(
                    request,
                    back(request, **kwargs),
                    409,
                    exc.detail,
                    exc.errors,
                    current=exc.current,
                )
            except Http404 as exc:
                if not wants_json(request):
                    raise
                return JsonResponse({"detail": str(exc), "errors": []}, status=404)
            except DomainError as exc:
                return _error(request, back(request, **kwargs), exc.status, exc.detail, exc.errors)

        return wrapper  # type: ignore[return-value]

    return decorate


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

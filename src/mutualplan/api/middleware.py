"""Every 4xx under /api/ answers in the API's one error shape, even those Django or ninja
produce before a route runs (unknown path, method not allowed)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponse, JsonResponse

MESSAGES = {404: "no such API endpoint", 405: "method not allowed on this endpoint"}


def _shaped(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    if (
        request.path.startswith("/api/")
        and 400 <= response.status_code < 500
        and not response.get("Content-Type", "").startswith("application/json")
    ):
        detail = MESSAGES.get(response.status_code, response.reason_phrase.lower())
        shaped = JsonResponse({"detail": detail, "errors": []}, status=response.status_code)
        if response.has_header("Allow"):
            shaped["Allow"] = response["Allow"]
        return shaped
    return response


class ApiErrorShapeMiddleware:
    # Works both ways, so an ASGI request is never pushed through a thread hop for it.
    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self._acall(request)
        return _shaped(request, self.get_response(request))

    async def _acall(self, request: HttpRequest) -> HttpResponse:
        response = await self.get_response(request)
        return _shaped(request, response)

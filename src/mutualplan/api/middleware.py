"""The API's layers before and after its routes: request bodies are JSON and only JSON, and
every 4xx under /api/ answers in the API's one error shape, even those Django or ninja produce
before a route runs (unknown path, method not allowed)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase

from mutualplan.http.body_size import BODY_METHODS
from mutualplan.http.middleware import RequestFilter

MESSAGES = {404: "no such API endpoint", 405: "method not allowed on this endpoint"}


def _shaped(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
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


class ApiErrorShapeMiddleware(RequestFilter):
    """Every 4xx under /api/ in the error shape, whoever answered it."""

    def adjust(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        return _shaped(request, response)


JSON = "application/json"


def _has_body(request: HttpRequest) -> bool:
    length = request.META.get("CONTENT_LENGTH") or "0"
    return length != "0" or "HTTP_TRANSFER_ENCODING" in request.META


def unsupported_body(request: HttpRequest) -> HttpResponse | None:
    """415 for an API body sent as anything but JSON; None when the request may go on."""
    if (
        not request.path.startswith("/api/")
        or request.method not in BODY_METHODS
        or not _has_body(request)
        or (request.content_type or "").lower() == JSON
    ):
        return None
    sent = request.content_type or "no Content-Type"
    message = f"must be {JSON}, not {sent}"
    response = JsonResponse(
        {
            "detail": f"send the body as JSON with Content-Type: {JSON} (this request sent {sent})",
            "errors": [{"field": "Content-Type", "message": message}],
        },
        status=415,
    )
    # RFC 9110 and 5789: name the media type this method accepts.
    response["Accept-Patch" if request.method == "PATCH" else "Accept-Post"] = JSON
    return response


class ApiJsonBodyMiddleware(RequestFilter):
    """Refuse an API body that is not JSON before any route (or input layer) parses it."""

    def refuse(self, request: HttpRequest) -> HttpResponseBase | None:
        return unsupported_body(request)

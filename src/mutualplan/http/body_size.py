"""Request bodies have one size limit, `MUTUALPLAN_MAX_BODY_BYTES` (Django's
`DATA_UPLOAD_MAX_MEMORY_SIZE`): a body over it gets 413 saying so, before any view reads it.

Two layers share the limit:

- `limit_request_body` wraps the ASGI application. Django's ASGI handler reads a whole body
  before it builds the request; this stops handing it a body one byte past the limit (at once
  when Content-Length already says too much), so a huge upload never lands in memory or on disk.
- `BodySizeMiddleware` answers the 413: in the API's error shape under /api/ (and to the page's
  own scripts), as a short plain-text page otherwise.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase

from mutualplan.http.middleware import RequestFilter

# Methods whose body a view reads; others (GET, HEAD, DELETE, OPTIONS) have theirs ignored.
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})

Scope = dict[str, Any]
Message = Mapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
AsgiApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def max_body_bytes() -> int:
    """The limit in bytes; 0 when Django's limit is switched off."""
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)


def size_words(size: int) -> str:
    """`1048576` as "1 MiB", `1536` as "1.5 KiB": how a person reads a limit."""
    for unit, factor in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= factor:
            return f"{size / factor:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} bytes"


def too_large_message(limit: int) -> str:
    """What a 413 says: the limit, for a person and in bytes."""
    return (
        f"the request body is larger than this server accepts: at most {size_words(limit)} "
        f"({limit} bytes); send less"
    )


def _refusal(request: HttpRequest, status: int, detail: str, field: str) -> HttpResponse:
    """The API's error shape for the API and the page's scripts; a sentence for a form."""
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        errors = [{"field": field, "message": detail}]
        return JsonResponse({"detail": detail, "errors": errors}, status=status)
    return HttpResponse(
        detail[0].upper() + detail[1:] + ".\n", status=status, content_type="text/plain"
    )


def oversized_body(request: HttpRequest) -> HttpResponse | None:
    """A 413 (or a 400 for a garbled Content-Length) when the body may not be read, else None."""
    if request.method not in BODY_METHODS:
        return None
    try:
        # Django judges the declared length first, and a chunked body by what was received
        # (read at most one byte past the limit); a body that fits is kept for the view. The
        # whole body counts, multipart too: no route takes file uploads (one that does will
        # need a limit of its own here).
        request.body  # noqa: B018
    except RequestDataTooBig:
        return _refusal(request, 413, too_large_message(max_body_bytes()), "body")
    except ValueError:
        return _refusal(request, 400, "Content-Length must be a number of bytes", "Content-Length")
    return None


class BodySizeMiddleware(RequestFilter):
    """Refuse a body over the limit before sessions, CSRF or any view look at it."""

    def refuse(self, request: HttpRequest) -> HttpResponseBase | None:
        return oversized_body(request)


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def limit_request_body(app: AsgiApp) -> AsgiApp:
    """Wrap an ASGI application so it is never handed more than limit + 1 bytes of a body.

    Past that point the body is ended early (a declared Content-Length over the limit ends it
    before a byte is read) and the rest is left unread; the application sees a body too large
    and answers 413, which closes the connection.
    """

    async def limited(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        limit = max_body_bytes()
        declared = _declared_length(scope)
        if not limit or (declared is not None and declared <= limit):
            await app(scope, receive, send)
            return
        received = 0
        cut = False
        answered = asyncio.Event()

        async def receive_limited() -> Message:
            nonlocal received, cut
            if cut and scope["method"] in BODY_METHODS:
                # The application answers 413 at once: wait for that instead of reading on.
                await answered.wait()
                return {"type": "http.disconnect"}
            if cut:
                # A GET or DELETE ignores its body: drop the rest while waiting for the client
                # to go away (a live stream must still notice that).
                while True:
                    message = await receive()
                    if message["type"] != "http.request":
                        return message
            if declared is not None:
                cut = True
                return {"type": "http.request", "body": b"", "more_body": False}
            message = await receive()
            if message["type"] != "http.request":
                return message
            body = message.get("body", b"")
            received += len(body)
            if received > limit:
                cut = True
                # One byte past the limit is enough for the application to know.
                keep = len(body) - (received - limit - 1)
                return {"type": "http.request", "body": body[:keep], "more_body": False}
            return message

        async def send_closing(message: Message) -> None:
            if cut and message["type"] == "http.response.start":
                # The rest of the body is still on the wire: this connection cannot be reused.
                headers = [h for h in message.get("headers", []) if h[0].lower() != b"connection"]
                message = {**message, "headers": [*headers, (b"connection", b"close")]}
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                answered.set()

        await app(scope, receive_limited, send_closing)

    return limited

"""A database that can't be reached answers 503 "try again in a moment", never a 500.

While PostgreSQL restarts (or SQLite's file can't be opened), every shell answers the same
way: the API with a JSON 503 in its error shape, the page scripts' JSON requests likewise, the
live streams with a plain-text 503 (the page reconnects later), and pages with a small HTML
page; each with `Retry-After`, and one warning line in the log instead of a traceback. Real
errors (a bug, a missing table) stay 500s.
"""

from __future__ import annotations

import logging
import sqlite3
import sys
from collections.abc import Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.html import escape

logger = logging.getLogger(__name__)

MESSAGE = "the database is unavailable; try again in a moment"
# A restart of PostgreSQL takes seconds: clients come back soon, not at once in a burst.
RETRY_AFTER_SECONDS = 5

# PostgreSQL error codes that mean "not now" rather than "this request is wrong": connection
# exceptions (class 08), the server shutting down, crashing or starting up, and no free slot.
_UNAVAILABLE_SQLSTATES = {"57P01", "57P02", "57P03", "53300"}
# SQLite: the file can't be opened (data dir gone, permissions), or stayed locked too long.
_UNAVAILABLE_SQLITE_CODES = {sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_BUSY}

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Try again in a moment</title>
</head>
<body>
  <h1>Try again in a moment</h1>
  <p>{message}.</p>
  <p>This usually takes a few seconds; reload the page then.</p>
</body>
</html>
"""


def database_unavailable(exc: BaseException) -> bool:
    """True when `exc` says the database can't be reached now, not that the request is wrong."""
    if isinstance(exc, InterfaceError):
        return True  # "connection already closed"
    if isinstance(exc, OperationalError):
        # Django's wrapper: the driver's own error, which says why, is its cause.
        exc = exc.__cause__ or exc
    if isinstance(exc, sqlite3.OperationalError):
        code = getattr(exc, "sqlite_errorcode", None)
        return code is not None and code & 0xFF in _UNAVAILABLE_SQLITE_CODES
    psycopg = sys.modules.get("psycopg")  # never imported on SQLite: then it is not psycopg's
    if psycopg is None:
        return False
    if isinstance(exc, psycopg.InterfaceError):
        return True  # "the connection is closed"
    if isinstance(exc, psycopg.OperationalError):
        # No code: the client lost or never got a connection (refused, timed out, closed
        # unexpectedly, no pooled connection in time). A code: the server said why.
        state = exc.sqlstate
        return state is None or state[:2] == "08" or state in _UNAVAILABLE_SQLSTATES
    return False


def _answers_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or (
        "application/json" in request.headers.get("Accept", "")
    )


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """The 503 for this kind of request: JSON for the API and scripts, text for a live
    stream, a small page otherwise."""
    response: HttpResponse
    if _answers_json(request):
        response = JsonResponse({"detail": MESSAGE, "errors": []}, status=503)
    elif "text/event-stream" in request.headers.get("Accept", ""):
        response = HttpResponse(f"{MESSAGE}\n", status=503, content_type="text/plain")
    else:
        response = HttpResponse(PAGE.format(message=escape(MESSAGE)), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def log_unavailable(exc: BaseException, where: str) -> None:
    """One warning line (no traceback): the outage is the news, not where it was noticed."""
    first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    logger.warning("database unavailable (%s): %s", where, first_line)


class DatabaseUnavailableMiddleware:
    """Turns "the database is unavailable" raised by a view into the 503 of its kind."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not database_unavailable(exception):
            return None  # a real error: Django's 500, with its traceback in the log
        # The method only: a path may hold a share token.
        log_unavailable(exception, f"{request.method} answered 503")
        response = unavailable_response(request)
        # Logged above, once: Django's request logger would add "Service Unavailable: <path>".
        response._has_been_logged = True  # type: ignore[attr-defined]
        return response

"""One input-cleaning layer for every shell: a request holding text the database cannot store
is refused before any view, form or API schema sees it.

Looked at: the URL path, query parameters, form fields (urlencoded and multipart, names and
values, file names) and JSON bodies (walked, keys and values). Refused: NUL characters (also
sent as `%00` or `\\u0000`), lone UTF-16 surrogates (`\\ud800` in JSON) and invalid UTF-8.
The answer is a 400 naming each field: the API's error shape under /api/ and for page actions
asked with `Accept: application/json`, a small HTML page otherwise. Nothing is written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_to_bytes

from django.core.exceptions import RequestDataTooBig
from django.core.handlers.wsgi import WSGIRequest, get_bytes_from_wsgi
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.http.request import RawPostDataException
from django.http.response import HttpResponseBase
from django.template.loader import render_to_string

from mutualplan.core.text import NOT_UTF8, decode_utf8, printable, unstorable
from mutualplan.http.middleware import RequestFilter

# Enough to fix a form at once; a crafted request cannot make the answer large.
MAX_PROBLEMS = 20
_JSON_TYPES = re.compile(r"^application/(?:[\w.+-]+\+)?json$")
_PART_NAME = re.compile(rb'\bname="((?:[^"\\]|\\.)*)"|\bname=([^;\s]+)', re.I)
_PART_FILENAME = re.compile(rb'\bfilename="((?:[^"\\]|\\.)*)"|\bfilename=([^;\s]+)', re.I)


@dataclass(frozen=True)
class Problem:
    """One field holding text that cannot be stored, and why."""

    field: str
    message: str


def _name_problem(name: str, why: str | None) -> Iterator[Problem]:
    if why:
        yield Problem(printable(name), f"field name {why}")


def _raw_problems(name: bytes, value: bytes | None) -> Iterator[Problem]:
    """A field as raw bytes (value None for a file part): decoded strictly, then checked."""
    text_name, why = decode_utf8(name)
    yield from _name_problem(text_name, why)
    if value is not None:
        _, why = decode_utf8(value)
        if why:
            yield Problem(printable(text_name), why)


def urlencoded_problems(raw: bytes) -> Iterator[Problem]:
    """Problems of `a=1&b=2` data (a query string or a form body), read as the raw bytes.

    UTF-8 only, as Django reads forms (it refuses a form declaring another charset)."""
    for pair in raw.split(b"&"):
        if not pair:
            continue
        name, _, value = pair.partition(b"=")
        yield from _raw_problems(
            unquote_to_bytes(name.replace(b"+", b" ")), unquote_to_bytes(value.replace(b"+", b" "))
        )


def multipart_problems(raw: bytes, boundary: bytes) -> Iterator[Problem]:
    """Problems of a multipart/form-data body: every part's name, file name and (for fields,
    not files) value as raw bytes. A malformed body yields nothing here: Django's own parser
    answers for it."""
    for chunk in raw.split(b"--" + boundary)[1:]:
        if chunk.startswith(b"--"):
            break
        head, found, content = chunk.partition(b"\r\n\r\n")
        disposition = next(
            (
                line
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-disposition:")
            ),
            b"",
        )
        name = _param(_PART_NAME, disposition)
        if not found or name is None:
            continue
        filename = _param(_PART_FILENAME, disposition)
        value = None if filename is not None else content.removesuffix(b"\r\n")
        yield from _raw_problems(name, value)
        if filename is not None:
            _, why = decode_utf8(filename)
            if why:
                yield Problem(printable(name.decode("utf-8", "replace")), f"file name {why}")


def _param(pattern: re.Pattern[bytes], header: bytes) -> bytes | None:
    found = pattern.search(header)
    return None if found is None else (found.group(1) or found.group(2) or b"")


def json_problems(value: Any, path: str = "") -> Iterator[Problem]:
    """Problems of a parsed JSON document, each at its path (`deal.account_name`, `order[2]`)."""
    if isinstance(value, str):
        why = unstorable(value)
        if why:
            yield Problem(path or "body", why)
    elif isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}" if path else key
            yield from _name_problem(here, unstorable(key))
            yield from json_problems(item, here)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from json_problems(item, f"{path}[{i}]")


def _parsed_form_problems(request: HttpRequest) -> Iterator[Problem]:
    """What Django parsed from a form, as the views will read it (catches base64 parts too)."""
    for name, values in request.POST.lists():
        yield from _name_problem(name, unstorable(name))
        for value in values:
            why = unstorable(value)
            if why:
                yield Problem(printable(name), why)
    for name, files in request.FILES.lists():
        yield from _name_problem(name, unstorable(name))
        for upload in files:
            why = unstorable(upload.name or "")
            if why:
                yield Problem(printable(name), f"file name {why}")


def _raw_query(request: HttpRequest) -> bytes:
    if isinstance(request, WSGIRequest):
        return get_bytes_from_wsgi(request.environ, "QUERY_STRING", "")
    # ASGI: Django decoded the query string as UTF-8 already (refusing it when it is not).
    return str(request.META.get("QUERY_STRING", "")).encode()


def _body_problems(request: HttpRequest) -> Iterator[Problem]:
    content_type = request.content_type or ""
    try:
        raw = request.body
    except (RequestDataTooBig, RawPostDataException):
        # Too large to hold in memory (an upload, or a body the size check refuses): the layer
        # that reads it answers. What Django parses of a form is still checked.
        if content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
            yield from _parsed_form_problems(request)
        return
    if not raw:
        return
    if content_type == "application/x-www-form-urlencoded":
        yield from urlencoded_problems(raw)
    elif content_type == "multipart/form-data":
        boundary = (request.content_params or {}).get("boundary", "")
        if boundary:
            yield from multipart_problems(raw, boundary.encode("latin-1", "replace"))
        yield from _parsed_form_problems(request)
    else:
        # Any other body the API may read as JSON (whatever its declared type) is walked.
        try:
            document = json.loads(raw)
        except UnicodeDecodeError:
            if _JSON_TYPES.match(content_type):
                yield Problem("body", NOT_UTF8)
            return
        except ValueError:
            return  # not JSON: the route says so in its own words
        yield from json_problems(document)


def request_problems(request: HttpRequest) -> list[Problem]:
    """Every field of the request holding text that cannot be stored (empty when none)."""

    def all_problems() -> Iterator[Problem]:
        why = unstorable(request.path)
        if why:
            yield Problem("path", why)
        yield from urlencoded_problems(_raw_query(request))
        # Too many fields and the like raise SuspiciousOperation: Django answers those (400).
        try:
            yield from _body_problems(request)
        except MultiPartParserError as exc:
            yield Problem("body", f"is not a valid multipart/form-data body ({exc})")

    problems: list[Problem] = []
    for problem in all_problems():
        if problem not in problems:
            problems.append(problem)
        if len(problems) >= MAX_PROBLEMS:
            break
    return problems


def refusal(request: HttpRequest, problems: list[Problem]) -> HttpResponse:
    """The 400: JSON in the API's error shape for the API and page scripts, else HTML."""
    errors = [{"field": p.field, "message": p.message} for p in problems]
    detail = f"{errors[0]['field']}: {errors[0]['message']}"
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"detail": detail, "errors": errors}, status=400)
    # Rendered without the request: this runs before authentication, and needs none of it.
    html = render_to_string("bad_input.html", {"detail": detail, "errors": errors})
    return HttpResponse(html, status=400)


class InputCleaningMiddleware(RequestFilter):
    """Refuse a request with unstorable text before any view reads it (the body is already
    in memory, or a spooled file, when middleware runs)."""

    def refuse(self, request: HttpRequest) -> HttpResponseBase | None:
        problems = request_problems(request)
        return refusal(request, problems) if problems else None

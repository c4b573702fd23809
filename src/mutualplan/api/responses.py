"""What each operation can answer, declared exactly: the OpenAPI document lists for every
operation its success code and only the error codes it can return, each with its meaning."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from pydantic import BaseModel

from mutualplan.api.schemas.errors import ErrorOut, Out

# What each error code means, the same on every operation that can return it.
MEANINGS = {
    400: "Bad input: `errors` names each field and why. Nothing was changed.",
    401: "No valid API token: send `Authorization: Bearer <token>`.",
    403: "The buyer side may not change this row (a seller step). Nothing was changed.",
    404: "Not found, or not reachable with these credentials. Nothing was changed.",
    409: "Someone else changed it since you read it: nothing was saved; `current` is the state "
    "that won, with the `version` to send when you retry.",
    410: "The share link was revoked or has expired.",
    413: "The body is larger than the server accepts (`MUTUALPLAN_MAX_BODY_BYTES`, 1 MiB by "
    "default). Nothing was read.",
    415: "The body was not sent with `Content-Type: application/json`.",
    503: "The database is unreachable for a moment. Nothing was changed; retry after "
    "`Retry-After` seconds.",
}

RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before retrying.",
        "schema": {"type": "integer", "minimum": 0},
    }
}


def answers(
    success: dict[int, Any], *errors: int, conflict: type[Out] | None = None
) -> dict[int, Any]:
    """`success` plus `errors` in the one error shape, 409 as `conflict` (which carries
    `current`) when given, and 503 on every operation (the database may be away)."""
    if set(errors) - MEANINGS.keys() or 409 in errors:
        raise ValueError(f"unknown error code in {errors}; a 409 is declared with conflict=")
    declared: dict[int, Any] = {**success, **{code: ErrorOut for code in errors}, 503: ErrorOut}
    if conflict is not None:
        declared[409] = conflict
    return dict(sorted(declared.items()))


def describe(document: dict[str, Any]) -> dict[str, Any]:
    """Give every declared error response its meaning, and 503 its Retry-After header."""
    for operations in document["paths"].values():
        for operation in operations.values():
            for code, response in operation["responses"].items():
                if int(code) in MEANINGS:
                    response["description"] = MEANINGS[int(code)]
                if int(code) == 503:
                    response["headers"] = RETRY_AFTER
    return document


def render(schema: type[BaseModel], data: Any, status: int = 200) -> HttpResponse:
    """Check `data` against its declared response schema and encode it in one pass."""
    body = schema.model_validate(data).model_dump_json()
    return HttpResponse(body, status=status, content_type="application/json")

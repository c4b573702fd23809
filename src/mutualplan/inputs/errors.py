"""Validation errors as the one `{field, message}` list the API and the pages answer with."""

from __future__ import annotations

from typing import Any


def _field(loc: list[Any] | tuple[Any, ...]) -> str:
    # ninja prefixes the location with where it came from ("body", "path", "query") and the
    # parameter name; the caller knows the field by its name in the JSON.
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
        if parts and parts[0] in ("payload", "filters"):
            parts = parts[1:]
    out = ""
    for p in parts:
        out += f"[{p}]" if p.isdigit() else (f".{p}" if out else p)
    return out or "body"


def _message(error: dict[str, Any]) -> str:
    msg = str(error.get("msg", "is invalid"))
    if error.get("type") == "extra_forbidden":
        return "is not a field of this request"
    if error.get("type") == "missing":
        return "is required"
    return msg.removeprefix("Value error, ")


def field_errors(errors: Any) -> list[dict[str, str]]:
    """Pydantic's errors as the `{field, message}` list (the API's and the web forms')."""
    return [{"field": _field(e.get("loc", ())), "message": _message(e)} for e in errors]

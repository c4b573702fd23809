"""The building blocks of every request schema: bounded text, ids, versions, and the base
class that refuses unknown fields."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from ninja import Schema
from pydantic import AfterValidator, ConfigDict, Field, StringConstraints

from mutualplan.core.text import is_email

# NUL characters, lone surrogates and invalid UTF-8 never reach these schemas: the input
# layer (mutualplan.http.inputs) refuses them for every request, API and pages alike.
Name = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
Label = Annotated[str, StringConstraints(max_length=200)]
Code = Annotated[str, StringConstraints(min_length=1, max_length=50)]
Key = Annotated[str, StringConstraints(min_length=1, max_length=60)]
OptKey = Annotated[str, StringConstraints(max_length=60)]
Short = Annotated[str, StringConstraints(max_length=100)]
Title = Annotated[str, StringConstraints(min_length=1, max_length=300, strip_whitespace=True)]
Notes = Annotated[str, StringConstraints(max_length=20000)]
LongText = Annotated[str, StringConstraints(max_length=5000)]
Currency = Annotated[str, StringConstraints(min_length=3, max_length=3)]
Country = Annotated[str, StringConstraints(max_length=2)]


def _email(value: str) -> str:
    value = value.strip()
    if not is_email(value):
        raise ValueError("is not an email address")
    return value


Email = Annotated[str, StringConstraints(max_length=254), AfterValidator(_email)]
Id = Annotated[int, Field(gt=0, le=2**63 - 1)]
Version = Annotated[int, Field(ge=1, le=2**31)]
Days = Annotated[int, Field(ge=0, le=3650)]
Amount = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]


def _not_null(schema: dict[str, Any]) -> None:
    schema.pop("default", None)
    options = [o for o in schema.pop("anyOf", []) if o.get("type") != "null"]
    if len(options) == 1:
        schema.update(options[0])
    elif options:
        schema["anyOf"] = options


# For a field whose null means "not sent": its documented schema offers no null.
not_null = _not_null


def keep() -> Any:
    """The default of an optional field that takes no null: left out, the stored value is
    kept. The services refuse null for it (`core.row_edits.NULLABLE_FIELDS` names the
    fields that take one),
    so its documented schema has no null, and no generated client offers one."""
    return Field(None, json_schema_extra=_not_null)


class In(Schema):
    """Request bodies reject fields they do not know, so a typo is an error, not a no-op."""

    model_config = ConfigDict(extra="forbid")

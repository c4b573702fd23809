"""What the seller sends to import deals from a CRM export."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator

from mutualplan.inputs.fields import In, Key, not_null

Column = Annotated[str, StringConstraints(min_length=1, max_length=200)]
FieldName = Annotated[str, StringConstraints(min_length=1, max_length=40)]


class DealImportIn(In):
    content: str | None = Field(
        None,
        description="The export as text (CSV). Send this or `content_base64`.",
        json_schema_extra=not_null,
    )
    content_base64: str | None = Field(
        None,
        description="The export's bytes in base64 (CSV or XLSX).",
        json_schema_extra=not_null,
    )
    source: Literal["auto", "salesforce", "hubspot", "generic"] = Field(
        "auto", description="The CRM that wrote the file; `auto` tells from its headers."
    )
    mapping: dict[Column, FieldName] = Field(
        default_factory=dict,
        max_length=100,
        description="Column header -> deal field (crm_id, account_name, deal_name, stage, "
        "created, close_date, amount, currency, owner, account_type, industry, ignore).",
    )
    create_plans: bool = Field(
        False, description="Give each open deal without a plan one, targeting its close date."
    )
    template: Key = Field("standard", description="The template of those plans.")
    account_type: Annotated[str, StringConstraints(max_length=50)] | None = Field(
        None,
        json_schema_extra=not_null,
        description="New deals' account type when the file has no column for it (default: "
        "the workspace's first).",
    )
    dry_run: bool = Field(False, description="Count what would change; save nothing.")
    save_mapping: bool = Field(
        False,
        description="Remember these columns for the next file with the same headers (applied "
        "automatically, under `mapping`); not kept by a dry run.",
    )

    @field_validator("content_base64")
    @classmethod
    def _decodes(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError):
                raise ValueError("is not valid base64") from None
        return value

    def file_bytes(self) -> bytes | None:
        """The file's bytes; None unless exactly one of the two content fields was sent."""
        if (self.content is None) == (self.content_base64 is None):
            return None
        if self.content_base64 is not None:
            return base64.b64decode(self.content_base64)
        return (self.content or "").encode()

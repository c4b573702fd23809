"""Shapes of a spreadsheet import: the request (the file as base64, the column mapping, the
deal) and the preview of how the file reads."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field, StringConstraints

from mutualplan.api.schemas.errors import ErrorItem, Out
from mutualplan.inputs.fields import In, LongText
from mutualplan.inputs.plans import DealIn

Base64 = Annotated[str, StringConstraints(min_length=1, max_length=2_000_000)]


class SheetPreviewIn(In):
    format: str = Field(..., max_length=40, description="csv or xlsx")
    content_base64: Base64 = Field(..., description="The file's bytes, base64-encoded.")
    mapping: dict[Annotated[str, StringConstraints(max_length=200)], str] = Field(
        default_factory=dict,
        description="Re-map columns: {header text or column number from 1: field or 'ignore'}; "
        "fields: title, owner, owner_side, owner_team, owner_person, due_date, status, notes, "
        "step_type, high_risk. Over the workspace's saved mapping for these headers.",
    )
    save_mapping: bool = Field(
        False, description="Keep this mapping for the next file with the same headers."
    )


class SheetImportIn(SheetPreviewIn):
    deal: DealIn = Field(..., description="The new plan's deal.")
    target_date: dt.date | None = Field(None, description="Empty: the plan is a draft.")
    target_reason: LongText = ""


class SheetColumnOut(Out):
    number: int
    header: str
    field: str | None = Field(description="The milestone field it fills; null: ignored.")
    how: str = Field(description="recognised (by its header), mapped or ignored")
    samples: list[str]


class SheetMilestoneOut(Out):
    title: str
    owner_side: str
    owner_team: str
    owner_person: str | None
    due_date: dt.date | None
    status: str
    step_type: str
    high_risk: bool
    notes: str


class SheetRowOut(Out):
    line: int = Field(description="The row's line in the file (title rows and header counted).")
    milestone: SheetMilestoneOut | None = Field(description="null: the row has errors.")
    errors: list[str]


class SheetPreviewOut(Out):
    format: str
    header_line: int
    importable: bool
    columns: list[SheetColumnOut]
    rows: list[SheetRowOut]
    errors: list[ErrorItem] = Field(description="Every problem; rows' with `line N` fields.")
    notes: list[str]
    mapping: dict[str, str] = Field(description="Each named column's field, as it would be saved.")

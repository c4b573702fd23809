"""The one small interface every file format implements: what it is called and served as,
and whichever of export (one plan), workspace export (many plans, one row per milestone)
and read (a file back into plan data) it can do."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from mutualplan.formats.data import PlanData
from mutualplan.formats.sheet_values import CellValue

# A spreadsheet's non-blank rows as read: (line in the file, the cells).
SheetRows = list[tuple[int, list[CellValue]]]


class FormatError(Exception):
    """A file that cannot be read, or a format that does not exist: every problem found, each
    as {"field", "message"} (field like `milestones[2].status` or `line 7`)."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        first = errors[0] if errors else {"field": "file", "message": "cannot be read"}
        super().__init__(f"{first['field']}: {first['message']}")
        self.errors = errors or [first]


class Format(Protocol):
    name: str  # what ?format= and --format take: csv, xlsx, md, json
    extension: str
    content_type: str
    label: str  # as a link names it: "spreadsheet (XLSX)"
    is_text: bool  # a terminal can print it

    def export(self, plan: PlanData) -> bytes:
        """The plan as a file of this format."""
        ...


@runtime_checkable
class WorkspaceFormat(Protocol):
    def export_workspace(self, plans: Sequence[PlanData]) -> bytes:
        """Many plans as one table: one row per milestone, with the deal's fields."""
        ...


@runtime_checkable
class ReadableFormat(Protocol):
    def read(self, content: bytes) -> PlanData:
        """A file of this format back into plan data; FormatError lists every problem."""
        ...


@runtime_checkable
class SheetFormat(Protocol):
    def read_sheet(self, content: bytes) -> SheetRows:
        """A spreadsheet's non-blank rows with their line numbers, cells as typed (text,
        numbers, dates); the column mapping of `formats.sheet` makes a plan of them."""
        ...

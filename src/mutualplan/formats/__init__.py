"""File formats as plug-ins of one small interface (`base.Format`): each format is one module
with a `FORMAT` object, registered here by its name; the web, the API and the command line
reach every format through `get` and never name a module. Formats work on plain data
(`data.PlanData`) only: they never query the database.

A format that can read files back (`base.ReadableFormat`) is importable; one that can write
many plans as one table (`base.WorkspaceFormat`) serves the workspace export; a spreadsheet
(`base.SheetFormat`) is imported through the column mapping and preview of `formats.sheet`.
"""

from __future__ import annotations

from mutualplan.formats import csv, json, markdown, xlsx
from mutualplan.formats.base import (
    Format,
    FormatError,
    ReadableFormat,
    SheetFormat,
    WorkspaceFormat,
)

FORMATS: dict[str, Format] = {
    f.name: f for f in (csv.FORMAT, xlsx.FORMAT, markdown.FORMAT, json.FORMAT)
}


def _unknown(name: str, allowed: list[str]) -> FormatError:
    shown = name if len(name) <= 20 else name[:20] + "…"
    return FormatError(
        [
            {
                "field": "format",
                "message": f"unknown format {shown!r}; use one of {', '.join(allowed)}",
            }
        ]
    )


def names(kind: type | None = None) -> list[str]:
    """The formats' names, or those of the ones that implement `kind` (e.g. ReadableFormat)."""
    return [name for name, f in FORMATS.items() if kind is None or isinstance(f, kind)]


def get(name: str) -> Format:
    """The format called `name`; FormatError (field `format`) names the ones there are."""
    if name not in FORMATS:
        raise _unknown(name, names())
    return FORMATS[name]


def workspace_format(name: str) -> WorkspaceFormat:
    found = FORMATS.get(name)
    if not isinstance(found, WorkspaceFormat):
        raise _unknown(name, names(WorkspaceFormat))
    return found


def readable_format(name: str) -> ReadableFormat:
    found = FORMATS.get(name)
    if not isinstance(found, ReadableFormat):
        raise _unknown(name, names(ReadableFormat))
    return found


def sheet_format(name: str) -> SheetFormat:
    found = FORMATS.get(name)
    if not isinstance(found, SheetFormat):
        raise _unknown(name, names(SheetFormat))
    return found


__all__ = [
    "FORMATS",
    "Format",
    "FormatError",
    "ReadableFormat",
    "SheetFormat",
    "WorkspaceFormat",
    "get",
    "names",
]

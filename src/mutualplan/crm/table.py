"""A CRM export as a header and rows with their line numbers: CSV (UTF-8 with or without a
BOM, or Windows-1252; comma, semicolon or tab) or XLSX (the first sheet)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass

XLSX_MAGIC = b"PK\x03\x04"


class TableError(ValueError):
    """The bytes are no table at all."""


@dataclass(frozen=True)
class Row:
    line: int  # as a spreadsheet shows it (the header is usually line 1)
    cells: tuple[object, ...]


def _text(content: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableError("is neither UTF-8 nor Windows-1252 text")


def _delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    return max((";", ",", "\t"), key=first.count) if any(d in first for d in ";,\t") else ","


def _csv_rows(content: bytes) -> Iterator[Row]:
    text = _text(content)
    if "\x00" in text:
        raise TableError("holds NUL characters: it is not a CSV file")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    start = 1
    try:
        for cells in reader:
            yield Row(start, tuple(cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise TableError(f"line {reader.line_num}: {exc}") from None


def _xlsx_rows(content: bytes) -> Iterator[Row]:
    from openpyxl import load_workbook  # only when an XLSX arrives

    from mutualplan.core.unpacked import too_large

    refused = too_large(content)
    if refused:
        raise TableError(refused)
    try:
        # Not data_only: a formula cell comes back as its text ("=1+1"), never evaluated.
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise TableError(f"is not a readable XLSX workbook ({type(exc).__name__})") from None
    try:
        sheet = book.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield Row(number, tuple("" if v is None else v for v in values))
    finally:
        book.close()


def read_rows(content: bytes) -> list[Row]:
    """Every non-blank row of the file, in order."""
    source: Callable[[bytes], Iterator[Row]] = (
        _xlsx_rows if content.startswith(XLSX_MAGIC) else _csv_rows
    )
    return [
        Row(r.line, tuple(c.strip() if isinstance(c, str) else c for c in r.cells))
        for r in source(content)
        if any(str(c).strip() for c in r.cells)
    ]

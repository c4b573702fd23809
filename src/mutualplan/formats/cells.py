"""Spreadsheet cells that stay text: a cell starting with = + - @ (or a tab or line break
hiding one) is what Excel, LibreOffice and Google Sheets would evaluate as a formula."""

from __future__ import annotations

import datetime as dt

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
DATE_FORMAT = "yyyy-mm-dd"


def looks_like_formula(value: str) -> bool:
    return value.startswith(FORMULA_START)


def csv_text(value: str) -> str:
    """A CSV cell a spreadsheet shows as typed: a formula-like start gets Excel's ' prefix."""
    return "'" + value if looks_like_formula(value) else value


def from_csv_text(value: str) -> str:
    """A CSV cell back as typed: the ' that `csv_text` (and Excel) put before a formula-like
    start is taken off again."""
    return value[1:] if value.startswith("'") and looks_like_formula(value[1:]) else value


def xlsx_text(cell: Cell, value: str) -> None:
    """Write `value` as text, never as a formula: a formula-like start keeps the cell a
    string, shown with Excel's quote prefix (the way a typed ' does)."""
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell.value = value
    if looks_like_formula(value):
        cell.data_type = "s"
        cell.quotePrefix = True


def xlsx_date(cell: Cell, value: dt.date | None) -> None:
    """A real date cell (not text), shown as YYYY-MM-DD."""
    cell.value = value
    if value is not None:
        cell.number_format = DATE_FORMAT

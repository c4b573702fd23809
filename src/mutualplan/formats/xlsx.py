"""XLSX (openpyxl): real date cells, a frozen bold header with a filter, wrapped notes, and
text that would run as a formula stored as text. Read back from the first sheet, cells as
typed (dates as dates, Excel serial numbers as numbers: the column mapping reads both)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Sequence
from decimal import Decimal

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from mutualplan.core import unpacked
from mutualplan.formats.base import FormatError, SheetRows
from mutualplan.formats.cells import xlsx_date, xlsx_text
from mutualplan.formats.data import PlanData
from mutualplan.formats.sheet_values import CellValue
from mutualplan.formats.table import PLAN_COLUMNS, WORKSPACE_COLUMNS, Value, plan_table
from mutualplan.formats.table import workspace_table as workspace_rows

_WIDTHS = {"Milestone": 44, "Notes": 60, "Account": 30, "Deal owner": 28, "Owner person": 24}


def _write(title: str, headers: Sequence[str], rows: Iterable[Sequence[Value]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    bold = Font(bold=True)
    for col, header in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=col, value=header)
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor="D9D9D9")
        sheet.column_dimensions[get_column_letter(col)].width = _WIDTHS.get(header, 15)
    notes = headers.index("Notes") + 1
    wrap = Alignment(wrap_text=True, vertical="top")
    count = 0
    for r, row in enumerate(rows, start=2):
        count += 1
        for col, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=col)
            if isinstance(value, str):
                xlsx_text(cell, value)
            elif isinstance(value, dt.date):
                xlsx_date(cell, value)
            elif isinstance(value, Decimal):
                cell.value = float(value)
                cell.number_format = "#,##0.00"
            else:
                cell.value = value
            if col == notes:
                cell.alignment = wrap
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{count + 1}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read_rows(content: bytes) -> SheetRows:
    """The first sheet's non-blank rows with their row numbers; formulas as their last
    computed values (never evaluated here)."""
    refused = unpacked.too_large(content)
    if refused:
        raise FormatError([{"field": "file", "message": refused}])
    try:
        book = load_workbook(io.BytesIO(content), data_only=True)
    except zipfile.BadZipFile:
        raise FormatError([{"field": "file", "message": "is not an XLSX file"}]) from None
    except Exception:  # noqa: BLE001 - any parser failure on an uploaded file is bad input
        message = "is not an XLSX file that can be read (save it again from Excel)"
        raise FormatError([{"field": "file", "message": message}]) from None
    sheet = book.worksheets[0]
    rows: SheetRows = []
    for line, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells: list[CellValue] = [
            value.strip()
            if isinstance(value, str)
            else value
            if isinstance(value, int | float | dt.date) or value is None
            else str(value)
            for value in row
        ]
        if any(c not in (None, "") for c in cells):
            rows.append((line, cells))
    return rows


class XlsxFormat:
    name = "xlsx"
    extension = "xlsx"
    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    label = "spreadsheet (XLSX)"
    is_text = False

    def export(self, plan: PlanData) -> bytes:
        return _write("Plan", PLAN_COLUMNS, plan_table(plan))

    def export_workspace(self, plans: Sequence[PlanData]) -> bytes:
        return _write("Milestones", WORKSPACE_COLUMNS, workspace_rows(plans))

    def read_sheet(self, content: bytes) -> SheetRows:
        return read_rows(content)


FORMAT = XlsxFormat()

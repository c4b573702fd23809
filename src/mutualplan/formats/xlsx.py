"""XLSX (openpyxl): real date cells, a frozen bold header with a filter, wrapped notes, and
text that would run as a formula stored as text."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from mutualplan.formats.cells import xlsx_date, xlsx_text
from mutualplan.formats.data import PlanData
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


FORMAT = XlsxFormat()

"""The plan as a spreadsheet (openpyxl): the article's table (Milestone, Owner, Due date,
Status, Notes) with real date cells, a frozen header and status colours, from the buyer read
model. Text a spreadsheet would read as a formula is stored as text."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from mutualplan.documents import owner_label, status_label
from mutualplan.formats.cells import xlsx_date as _date
from mutualplan.formats.cells import xlsx_text as _text
from mutualplan.plans.buyer_view import BuyerPlan

HEADERS = ("Milestone", "Owner", "Due date", "Status", "Notes")
_WIDTHS = (44, 30, 13, 20, 60)
_STATUS_FILLS = {
    "done": "D9EAD3",
    "in_progress": "DDEBF7",
    "blocked": "F4CCCC",
    "not_started": "EEEEEE",
}
_OVERDUE_FILL = "F8CBAD"


def _table(sheet: Worksheet, view: BuyerPlan) -> None:
    sheet.title = "Plan"
    bold = Font(bold=True)
    for col, (header, width) in enumerate(zip(HEADERS, _WIDTHS, strict=True), start=1):
        cell = sheet.cell(row=1, column=col, value=header)
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor="D9D9D9")
        sheet.column_dimensions[cell.column_letter].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    for r, row in enumerate(view.milestones, start=2):
        _text(sheet.cell(row=r, column=1), row.title)
        _text(sheet.cell(row=r, column=2), owner_label(row))
        _date(sheet.cell(row=r, column=3), row.due_date)
        status = sheet.cell(row=r, column=4)
        _text(status, status_label(row))
        colour = _OVERDUE_FILL if row.overdue else _STATUS_FILLS.get(row.status, "FFFFFF")
        status.fill = PatternFill("solid", fgColor=colour)
        _text(sheet.cell(row=r, column=5), row.notes)
        for col in range(1, len(HEADERS) + 1):
            sheet.cell(row=r, column=col).alignment = wrap
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:E{max(len(view.milestones) + 1, 1)}"


def _about(sheet: Worksheet, view: BuyerPlan, today: dt.date) -> None:
    """A second sheet: what the plan is for and where it stands."""
    sheet.column_dimensions["A"].width = 18
    sheet.column_dimensions["B"].width = 70
    contact = view.seller_contact
    lines: list[tuple[str, Any]] = [
        ("Account", view.account_name),
        ("Target date", view.target_date),
        ("Why this date", view.target_reason),
        ("Progress", f"{view.progress.done} of {view.progress.total} steps done"),
        ("Overdue steps", view.progress.overdue),
        ("Confirmed", "Yes" if view.confirmed else "Not yet"),
        ("Seller contact", ", ".join(x for x in (contact.name, contact.company) if x)),
        ("Contact email", contact.email or ""),
        ("Exported on", today),
    ]
    for r, (name, value) in enumerate(lines, start=1):
        sheet.cell(row=r, column=1, value=name).font = Font(bold=True)
        cell = sheet.cell(row=r, column=2)
        if isinstance(value, str):
            _text(cell, value)
        elif isinstance(value, dt.date):
            _date(cell, value)
        else:
            cell.value = value
        cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="left")


def plan_xlsx(view: BuyerPlan, today: dt.date) -> bytes:
    """The XLSX of one plan as the buyer sees it."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    _table(sheet, view)
    _about(book.create_sheet("About"), view, today)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

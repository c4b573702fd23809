"""CSV: UTF-8 with a byte-order mark (so Excel opens accents right), one header row, dates
as YYYY-MM-DD, and formula-like text prefixed with ' so no spreadsheet evaluates it.

Read back as any spreadsheet writes it: UTF-8 with or without a BOM (else Windows-1252, as
Excel does on Windows), comma, semicolon or tab separated, quoted line breaks kept."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence

from mutualplan.formats.base import FormatError, SheetRows
from mutualplan.formats.cells import csv_text, from_csv_text
from mutualplan.formats.data import PlanData
from mutualplan.formats.table import PLAN_COLUMNS, WORKSPACE_COLUMNS, Value, plan_table
from mutualplan.formats.table import workspace_table as workspace_rows


def _cell(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return csv_text(value)
    return str(value)


def write_table(headers: Sequence[str], rows: Iterable[Sequence[Value]]) -> bytes:
    """Any table as the exports write it: BOM, ISO dates, formula-like text made safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([_cell(v) for v in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")


def _decode(content: bytes) -> str:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text" (tab separated)
        return content.decode("utf-16", errors="replace").replace("\x00", "")
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise FormatError([{"field": "file", "message": "is not a CSV file (it holds NUL bytes)"}])
    return text


def _separator(text: str) -> str:
    """The separator that splits most of the first rows into the same number (>1) of cells:
    a semicolon export's decimal commas split a few rows, never most of them the same way."""
    best, best_score = ",", 0
    for separator in (",", ";", "\t"):
        counts: dict[int, int] = {}
        for n, row in enumerate(csv.reader(io.StringIO(text), delimiter=separator)):
            if n >= 30:
                break
            if any(cell.strip() for cell in row):
                counts[len(row)] = counts.get(len(row), 0) + 1
        width, seen = max(counts.items(), key=lambda item: (item[1], item[0]), default=(1, 0))
        score = seen if width > 1 else 0
        if score > best_score:
            best, best_score = separator, score
    return best


def read_rows(content: bytes) -> SheetRows:
    """The non-blank rows with the line each starts on (a quoted line break spans lines)."""
    text = _decode(content)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_separator(text))
    rows: SheetRows = []
    line = 1
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append((line, [from_csv_text(c.replace("\r\n", "\n")) for c in row]))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise FormatError(
            [{"field": f"line {line}", "message": f"cannot be read: {exc}"}]
        ) from None
    return rows


class CsvFormat:
    name = "csv"
    extension = "csv"
    content_type = "text/csv; charset=utf-8"
    label = "CSV"
    is_text = True

    def export(self, plan: PlanData) -> bytes:
        return write_table(PLAN_COLUMNS, plan_table(plan))

    def export_workspace(self, plans: Sequence[PlanData]) -> bytes:
        return write_table(WORKSPACE_COLUMNS, workspace_rows(plans))

    def read_sheet(self, content: bytes) -> SheetRows:
        return read_rows(content)


FORMAT = CsvFormat()

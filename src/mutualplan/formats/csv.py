"""CSV: UTF-8 with a byte-order mark (so Excel opens accents right), one header row, dates
as YYYY-MM-DD, and formula-like text prefixed with ' so no spreadsheet evaluates it."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence

from mutualplan.formats.cells import csv_text
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


def _write(headers: Sequence[str], rows: Iterable[Sequence[Value]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([_cell(v) for v in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")


class CsvFormat:
    name = "csv"
    extension = "csv"
    content_type = "text/csv; charset=utf-8"
    label = "CSV"
    is_text = True

    def export(self, plan: PlanData) -> bytes:
        return _write(PLAN_COLUMNS, plan_table(plan))

    def export_workspace(self, plans: Sequence[PlanData]) -> bytes:
        return _write(WORKSPACE_COLUMNS, workspace_rows(plans))


FORMAT = CsvFormat()

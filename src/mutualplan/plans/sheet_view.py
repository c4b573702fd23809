"""A spreadsheet import's preview as plain data: the shape the API answers, the CLI prints
with --json and the import page shows."""

from __future__ import annotations

from typing import Any

from mutualplan.formats.sheet import SheetPreview


def preview_dict(preview: SheetPreview) -> dict[str, Any]:
    people = {p.key: p.name for p in preview.people}
    return {
        "format": preview.format,
        "header_line": preview.header_line,
        "importable": preview.ok,
        "columns": [
            {
                "number": c.number,
                "header": c.header,
                "field": c.field or None,
                "how": c.how,
                "samples": list(c.samples),
            }
            for c in preview.columns
        ],
        "rows": [
            {
                "line": r.line,
                "milestone": None
                if r.milestone is None
                else {
                    "title": r.milestone.title,
                    "owner_side": r.milestone.owner_side,
                    "owner_team": r.milestone.owner_team,
                    "owner_person": people.get(r.milestone.owner_person or ""),
                    "due_date": r.milestone.due_date,
                    "status": r.milestone.status,
                    "step_type": r.milestone.step_type,
                    "high_risk": r.milestone.high_risk,
                    "notes": r.milestone.notes,
                },
                "errors": list(r.errors),
            }
            for r in preview.rows
        ],
        "errors": preview.errors,
        "notes": list(preview.notes),
        "mapping": preview.mapping(),
    }

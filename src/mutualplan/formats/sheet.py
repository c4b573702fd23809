"""A spreadsheet MAP (any `SheetFormat`: CSV, XLSX) read as a preview: where the header is,
how each column was understood (a field of a milestone, or ignored), every row parsed with
its line in the file and its problems. A mapping {column -> field} re-maps any column; only a
preview with no problem becomes plan data (all or nothing). Pure: no database, no Django.

A mapping's keys are a column's header text (compared ignoring case, spaces and
punctuation) or its number counted from 1 (as "3" or 3); its values are one of `FIELDS` or
"ignore".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from mutualplan.core.text import unstorable
from mutualplan.core.vocab import HIGH_RISK_STEP_TYPES, PlanStatus, StepType
from mutualplan.formats.base import FormatError, SheetRows
from mutualplan.formats.data import (
    SIDE_LABELS,
    DealData,
    MilestoneData,
    PersonData,
    PlanData,
    status_label,
)
from mutualplan.formats.sheet_columns import (
    FIELDS,
    IGNORE,
    Column,
    clean_mapping,
    columns_of,
    find_header,
    header_signature,
    layout_signature,
)
from mutualplan.formats.sheet_values import (
    CellValue,
    as_text,
    has_slash_dates,
    parse_date,
    parse_flag,
    parse_owner,
    parse_side,
    parse_status,
    parse_step_type,
    slash_order,
    words,
)

MAX_ROWS = 1000


@dataclass(frozen=True)
class Row:
    line: int
    values: tuple[str, ...]  # every cell as text, in column order
    milestone: MilestoneData | None
    errors: tuple[str, ...] = ()


@dataclass(frozen=True)
class SheetPreview:
    format: str
    header_line: int
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    people: tuple[PersonData, ...] = ()
    problems: tuple[dict[str, str], ...] = ()  # the file's own (mapping, header)
    notes: tuple[str, ...] = ()

    @property
    def errors(self) -> list[dict[str, str]]:
        """Every problem: the file's, then each bad row's with its line in the file."""
        return list(self.problems) + [
            {"field": f"line {row.line}", "message": message}
            for row in self.rows
            for message in row.errors
        ]

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)

    @property
    def signature(self) -> str:
        return header_signature([c.header for c in self.columns])

    def mapping(self) -> dict[str, str]:
        """Each named column's field (or "ignore"), to save for the next file like this."""
        return {c.header: c.field or IGNORE for c in self.columns if c.header}


def _text(value: CellValue, what: str, limit: int, errors: list[str]) -> str:
    text = as_text(value)
    why = unstorable(text)
    if why:
        errors.append(f"{what} {why}")
        return ""
    if len(text) > limit:
        errors.append(f"{what} is longer than {limit} characters")
        return text[:limit]
    return text


class _People:
    """Owner persons named in the file, one stakeholder each (by name)."""

    def __init__(self) -> None:
        self.by_name: dict[str, PersonData] = {}

    def key(self, name: str, team: str) -> str | None:
        if not name:
            return None
        found = self.by_name.get(words(name))
        if found is None:
            found = PersonData(key=f"p{len(self.by_name) + 1}", name=name, team=team)
            self.by_name[words(name)] = found
        return found.key


def _row(
    line: int, cells: dict[str, CellValue], orders: dict[str, str], people: _People
) -> tuple[MilestoneData | None, list[str]]:
    errors: list[str] = []
    title = _text(cells.get("title"), "the milestone title", 300, errors)
    if not title and "title" in cells:
        errors.append("the milestone title is empty")
    side, team = "seller", ""
    try:
        if "owner" in cells:
            side, team = parse_owner(as_text(cells["owner"]))
        elif "owner_side" in cells:
            side = parse_side(as_text(cells["owner_side"]))
    except ValueError as exc:
        errors.append(str(exc))
    team = _text(cells.get("owner_team"), "the owner team", 100, errors) or team
    person = _text(cells.get("owner_person"), "the owner person", 200, errors)
    due: dt.date | None = None
    status, step_type, high_risk = "not_started", StepType.CUSTOM.value, None
    try:
        due = parse_date(cells.get("due_date"), orders.get("due_date", ""))
    except ValueError as exc:
        errors.append(str(exc))
    for name, parse in (
        ("status", lambda: parse_status(as_text(cells.get("status")))),
        ("step_type", lambda: parse_step_type(as_text(cells.get("step_type")), title)),
        ("high_risk", lambda: parse_flag(as_text(cells.get("high_risk")))),
    ):
        try:
            value = parse()
        except ValueError as exc:
            errors.append(str(exc))
            continue
        if name == "status":
            status = str(value)
        elif name == "step_type":
            step_type = str(value)
        else:
            high_risk = value if isinstance(value, bool) else None
    notes = _text(cells.get("notes"), "the notes", 20_000, errors)
    if errors or not title:
        return None, errors
    return (
        MilestoneData(
            key=f"line{line}",
            title=title,
            owner_side=side,
            owner_team=team,
            owner_person=people.key(person, team if side == "buyer" else ""),
            due_date=due,
            status=status,
            notes=notes,
            step_type=step_type,
            high_risk=step_type in HIGH_RISK_STEP_TYPES if high_risk is None else high_risk,
        ),
        [],
    )


def preview_sheet(
    rows: SheetRows,
    format_name: str,
    mapping: Mapping[str, str] | None = None,
    saved: Mapping[str, str] | None = None,
) -> SheetPreview:
    """How the file reads with `mapping` (over a `saved` one for files with these headers):
    the columns as understood and every row parsed, each problem with its line."""
    mapping = dict(mapping or {})
    position = find_header(rows, mapping)
    header_line, header_cells = rows[position]
    headers = [as_text(c) for c in header_cells]
    body = rows[position + 1 :]
    width = max([len(headers), *(len(cells) for _, cells in body)])
    headers += [""] * (width - len(headers))
    problems: list[dict[str, str]] = []
    notes: list[str] = []
    if position:
        notes.append(f"The header is on line {header_line}; the lines above it were skipped.")
    columns = columns_of(headers, mapping, saved or {}, problems)
    if len(body) > MAX_ROWS:
        problems.append({"field": "file", "message": f"has more than {MAX_ROWS} rows"})
        body = body[:MAX_ROWS]
    if not body:
        problems.append({"field": "file", "message": "has no rows below the header"})
    fields = {c.field: c.index for c in columns if c.field}
    orders: dict[str, str] = {}
    if "due_date" in fields:
        dates = [cells[fields["due_date"]] for _, cells in body if fields["due_date"] < len(cells)]
        if has_slash_dates(dates):
            orders["due_date"] = slash_order(dates)
            notes.append(
                f"Slash dates in {headers[fields['due_date']] or 'the date column'} read as "
                f"{orders['due_date']}"
                + (" (a day above 12 shows it)." if orders["due_date"] == "day/month" else ".")
            )
    people = _People()
    parsed: list[Row] = []
    for line, cells in body:
        cells = cells + [None] * (width - len(cells))
        by_field = {f: cells[i] for f, i in fields.items()}
        milestone, errors = _row(line, by_field, orders, people)
        texts = tuple(as_text(c) for c in cells)
        parsed.append(Row(line, texts, milestone, tuple(errors) if "title" in fields else ()))
    columns = [
        Column(
            c.index,
            c.header,
            c.field,
            c.how,
            tuple(r.values[c.index] for r in parsed if r.values[c.index])[:3],
        )
        for c in columns
    ]
    return SheetPreview(
        format=format_name,
        header_line=header_line,
        columns=tuple(columns),
        rows=tuple(parsed),
        people=tuple(people.by_name.values()),
        problems=tuple(problems),
        notes=tuple(notes),
    )


@dataclass(frozen=True)
class PlanFields:
    """What a spreadsheet does not hold: the deal and the plan's date."""

    deal: DealData
    target_date: dt.date | None = None
    target_reason: str = ""


def plan_from_sheet(preview: SheetPreview, fields: PlanFields) -> PlanData:
    """The plan a problem-free preview makes (a draft when it has no target date);
    FormatError lists every problem otherwise."""
    if not preview.ok:
        raise FormatError(preview.errors or [{"field": "file", "message": "has no rows"}])
    return PlanData(
        deal=fields.deal,
        status=PlanStatus.ACTIVE.value if fields.target_date else PlanStatus.DRAFT.value,
        target_date=fields.target_date,
        target_reason=fields.target_reason,
        stakeholders=preview.people,
        milestones=tuple(r.milestone for r in preview.rows if r.milestone is not None),
    )


def row_summary(row: MilestoneData) -> dict[str, str]:
    """A parsed row as the preview table shows it."""
    return {
        "title": row.title,
        "owner_side": SIDE_LABELS.get(row.owner_side, row.owner_side),
        "owner_team": row.owner_team,
        "due_date": row.due_date.isoformat() if row.due_date else "",
        "status": status_label(row.status),
        "step_type": row.step_type,
        "high_risk": "Yes" if row.high_risk else "No",
    }


__all__ = [
    "FIELDS",
    "IGNORE",
    "Column",
    "PlanFields",
    "Row",
    "SheetPreview",
    "clean_mapping",
    "find_header",
    "header_signature",
    "layout_signature",
    "plan_from_sheet",
    "preview_sheet",
    "row_summary",
]

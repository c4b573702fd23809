"""How a CRM export reads before anything is saved: the source, each column with the deal
field it is read as (and why), sample values, the deals and every bad row with its line.
`read_deals` is the same reading for an import: every problem raised, nothing skipped."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from mutualplan.crm import generic, hubspot, salesforce
from mutualplan.crm.fields import IGNORE
from mutualplan.crm.reader import (
    PRESETS,
    SOURCES,
    CrmFileError,
    DealFile,
    DealRecord,
    _header_at,
    _is_footer,
    _missing,
    _record,
    _RowReader,
    _text,
    detect_source,
)
from mutualplan.crm.table import Row, TableError, read_rows
from mutualplan.crm.values import key_of

SIGNATURE_PREFIX = "deals:"
SAMPLES = 3
# Where a column's field came from, as the preview shows it.
GIVEN, SAVED, HEADER, IGNORED = "mapped", "mapped (saved)", "from its header", "ignored"
# The saved {header: field} mapping for a header signature ({} when none).
SavedLookup = Callable[[str], dict[str, str]]


def header_signature(headers: list[str]) -> str:
    """What exports of one layout share (their header names, normalised, in order), kept
    apart from the plan spreadsheets' signatures by its prefix."""
    return (SIGNATURE_PREFIX + "|".join(key_of(h) for h in headers))[:500]


@dataclass(frozen=True)
class ColumnView:
    number: int  # 1 for the first column
    header: str
    field: str  # a deal field, or "" when the column is ignored
    how: str  # GIVEN, SAVED, HEADER or IGNORED
    samples: tuple[str, ...]


@dataclass
class DealPreview:
    source: str
    header_line: int
    signature: str
    columns: list[ColumnView]
    problems: list[dict[str, str]] = field(default_factory=list)  # columns missing
    errors: list[dict[str, str]] = field(default_factory=list)  # bad rows, by line
    records: list[DealRecord] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and not self.errors and bool(self.records)

    def mapping(self) -> dict[str, str]:
        """Every named column -> its field or "ignore": what a saved mapping keeps."""
        return {c.header: c.field or IGNORE for c in self.columns if c.header}

    def as_file(self) -> DealFile:
        columns = {c.header: c.field for c in self.columns if c.header and c.field}
        return DealFile(self.source, columns, self.records)

    def all_errors(self) -> list[dict[str, str]]:
        if not self.problems and not self.errors and not self.records:
            return [{"field": "file", "message": "has a header but no deals"}]
        return self.problems + self.errors


def _lower(mapping: dict[str, str]) -> dict[str, str]:
    return {k.strip().lower(): v for k, v in mapping.items() if k.strip()}


def _resolve(
    headers: list[str], preset: dict[str, str], given: dict[str, str], saved: dict[str, str]
) -> list[tuple[str, str]]:
    """(field or "", how) of each column: the caller's mapping, then the saved one, then the
    source's known headers; a field already taken by an earlier column is not taken again."""
    found: list[tuple[str, str]] = []
    taken: set[str] = set()
    for header in headers:
        name = header.strip().lower()
        if name in given:
            # A select posted back unchanged still says where its field first came from.
            value = given[name]
            how = (
                SAVED
                if saved.get(name) == value
                else HEADER
                if name not in saved and preset.get(name) == value
                else GIVEN
            )
        elif name in saved:
            value, how = saved[name], SAVED
        else:
            value, how = preset.get(name, ""), HEADER
        if value == IGNORE or not value or value in taken:
            found.append(("", IGNORED))
            continue
        taken.add(value)
        found.append((value, how))
    return found


def _samples(body: list[Row], index: int) -> tuple[str, ...]:
    values: list[str] = []
    for row in body:
        cell = _text(row.cells[index]) if index < len(row.cells) else ""
        if cell and cell not in values:
            values.append(cell[:60])
        if len(values) == SAMPLES:
            break
    return tuple(values)


def preview_deals(
    content: bytes,
    source: str = "auto",
    mapping: list[str] | dict[str, str] | None = None,
    saved: SavedLookup | None = None,
) -> DealPreview:
    """How the file reads with `mapping` over the saved mapping of its header layout. A
    file that is no table, an unknown source or a bad mapping raise CrmFileError; missing
    columns and bad rows are in the preview."""
    if source not in SOURCES:
        raise CrmFileError([{"field": "source", "message": f"use one of {', '.join(SOURCES)}"}])
    given, problems = generic.parse_mapping(mapping or [])
    if problems:
        raise CrmFileError([{"field": "mapping", "message": p} for p in problems])
    try:
        rows = read_rows(content)
    except TableError as exc:
        raise CrmFileError([{"field": "file", "message": str(exc)}]) from None
    if not rows:
        raise CrmFileError([{"field": "file", "message": "is empty"}])
    start = _header_at(rows, {**salesforce.COLUMNS, **hubspot.COLUMNS}, given)
    headers = [_text(c) for c in rows[start].cells]
    signature = header_signature(headers)
    remembered = _lower(saved(signature)) if saved is not None else {}
    chosen = detect_source(headers) if source == "auto" else source
    resolved = _resolve(headers, PRESETS[chosen], given, remembered)
    fields = [f for f, _ in resolved]
    body = rows[start + 1 :]
    columns = [
        ColumnView(i + 1, h, f, how, _samples(body, i))
        for i, (h, (f, how)) in enumerate(zip(headers, resolved, strict=True))
    ]
    preview = DealPreview(chosen, rows[start].line, signature, columns)
    preview.problems = _missing(fields, headers)
    if preview.problems:
        return preview
    # A report's footer ("Total", "Generated by", a copyright line) closes the file.
    while body and _is_footer(body[-1], fields):
        body.pop()
    first_line: dict[str, int] = {}
    for row in body:
        reader = _RowReader(row, fields, headers)
        record = _record(reader)
        if record.crm_id and record.crm_id in first_line:
            reader.fail(
                reader.labels["crm_id"],
                f"{record.crm_id!r} is already on line {first_line[record.crm_id]}",
            )
        first_line.setdefault(record.crm_id, row.line)
        preview.errors += reader.errors
        preview.records.append(record)
    return preview


def read_deals(
    content: bytes,
    source: str = "auto",
    mapping: list[str] | dict[str, str] | None = None,
    saved: SavedLookup | None = None,
) -> DealFile:
    """The file's deals; CrmFileError lists every problem (each bad row by its line)."""
    preview = preview_deals(content, source, mapping, saved)
    if not preview.ok:
        raise CrmFileError(preview.all_errors())
    return preview.as_file()

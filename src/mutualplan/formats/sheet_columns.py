"""The columns of a spreadsheet MAP: the header row found below any title rows, each column
understood by its header (case, spaces and punctuation ignored) or re-mapped by the user,
and the mapping a user sends checked. Pure: no database, no Django."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from mutualplan.formats.base import FormatError, SheetRows
from mutualplan.formats.sheet_values import CellValue, as_text, short, words

FIELDS: dict[str, str] = {
    "title": "Milestone",
    "owner": "Owner (side and team)",
    "owner_side": "Owner side",
    "owner_team": "Owner team",
    "owner_person": "Owner person",
    "due_date": "Due date",
    "status": "Status",
    "notes": "Notes",
    "step_type": "Step type",
    "high_risk": "High risk",
}
IGNORE = "ignore"
HEADER_SEARCH = 20  # rows looked at for the header (title rows above it are skipped)

# The headers each field is recognised by, compared as `words` (case, spaces, punctuation).
_HEADER_NAMES: dict[str, tuple[str, ...]] = {
    "title": (
        "milestone",
        "milestones",
        "step",
        "steps",
        "task",
        "tasks",
        "action",
        "actions",
        "activity",
        "step name",
        "task name",
        "milestone name",
        "action item",
        "deliverable",
    ),
    "owner": (
        "owner",
        "owner buyer seller",
        "owner seller buyer",
        "responsible",
        "who",
        "owned by",
        "assignee",
        "assigned to",
        "responsible party",
    ),
    "owner_side": ("owner side", "side"),
    "owner_team": ("team", "department", "dept", "owner team", "function"),
    "owner_person": ("owner person", "person", "owner name", "contact"),
    "due_date": (
        "due date",
        "target date",
        "date",
        "deadline",
        "due",
        "due by",
        "end date",
        "finish date",
        "when",
    ),
    "status": ("status", "state", "progress"),
    "notes": ("notes", "note", "comments", "comment", "remarks", "details"),
    "step_type": ("step type", "type"),
    "high_risk": ("high risk", "high risk step", "risk"),
}
HEADERS = {name: f for f, names in _HEADER_NAMES.items() for name in names}


@dataclass(frozen=True)
class Column:
    index: int  # from 0
    header: str
    field: str  # one of FIELDS, or "" when ignored
    how: str  # "recognised", "mapped" or "ignored"
    samples: tuple[str, ...] = ()

    @property
    def number(self) -> int:
        return self.index + 1

    @property
    def label(self) -> str:
        return FIELDS.get(self.field, "ignored")


def header_signature(headers: list[str]) -> str:
    """What files of the same layout share: their header names, normalised, in order."""
    return "|".join(words(h) for h in headers)[:500]


def clean_mapping(raw: object) -> dict[str, str]:
    """A mapping from the API, CLI or a form checked: text keys, known fields as values."""
    errors: list[dict[str, str]] = []
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise FormatError([{"field": "mapping", "message": "must be an object {column: field}"}])
    mapping: dict[str, str] = {}
    allowed = ", ".join([*FIELDS, IGNORE])
    for key, value in raw.items():
        name = str(key)
        where = f"mapping.{short(name)}"
        if isinstance(key, bool) or not isinstance(key, str | int) or len(name) > 200:
            errors.append({"field": "mapping", "message": "keys are header names or numbers"})
        elif not isinstance(value, str) or (value not in FIELDS and value not in (IGNORE, "")):
            errors.append({"field": where, "message": f"unknown field; use one of {allowed}"})
        else:
            mapping[name] = value or IGNORE
    if len(raw) > 200:
        errors.append({"field": "mapping", "message": "has more than 200 columns"})
    if errors:
        raise FormatError(errors)
    return mapping


def _known(cell: CellValue, keys: set[str]) -> bool:
    name = words(as_text(cell))
    return bool(name) and (name in HEADERS or name in keys)


def find_header(rows: SheetRows, mapping: Mapping[str, str] | None = None) -> int:
    """The position in `rows` of the header: the first row with two or more known header
    names (or names the mapping gives); else the first row of two or more cells."""
    keys = {words(k) for k in (mapping or {}) if not str(k).isdigit()}
    for position, (_, cells) in enumerate(rows[:HEADER_SEARCH]):
        if sum(_known(c, keys) for c in cells) >= 2:
            return position
    for position, (_, cells) in enumerate(rows[:HEADER_SEARCH]):
        if sum(as_text(c) != "" for c in cells) >= 2:
            return position
    raise FormatError(
        [{"field": "file", "message": "has no header row (a row naming two or more columns)"}]
    )


def layout_signature(rows: SheetRows, mapping: Mapping[str, str] | None = None) -> str:
    """The header signature of the file's header row (what a saved mapping is kept by)."""
    return header_signature([as_text(c) for c in rows[find_header(rows, mapping)][1]])


def columns_of(
    headers: list[str],
    mapping: Mapping[str, str],
    saved: Mapping[str, str],
    problems: list[dict[str, str]],
) -> list[Column]:
    """Each header's field: mapped (by `mapping`, over `saved`), else recognised, else
    ignored; a field taken twice, no title column, or a mapped column that does not exist
    are added to `problems`."""
    by_words = {words(h): i for i, h in reversed(list(enumerate(headers))) if h}
    chosen: dict[int, tuple[str, str]] = {}
    for source, given in (("saved", saved), ("mapped", mapping)):
        for key, target in given.items():
            name = str(key)
            index = int(name) - 1 if name.isdigit() else by_words.get(words(name))
            if index is None or not 0 <= index < len(headers):
                if source == "mapped":
                    listed = ", ".join(h or f"column {i + 1}" for i, h in enumerate(headers))
                    problems.append(
                        {
                            "field": f"mapping.{short(name)}",
                            "message": f"the file has no such column; its columns are {listed}",
                        }
                    )
                continue
            chosen[index] = ("" if target == IGNORE else target, "mapped")
    taken = {f for f, _ in chosen.values() if f}
    columns = []
    for index, header in enumerate(headers):
        if index in chosen:
            target, how = chosen[index]
        else:
            target = HEADERS.get(words(header), "")
            target, how = (
                ("", "ignored") if not target or target in taken else (target, "recognised")
            )
            taken.add(target)
        columns.append(Column(index, header, target, how if target else "ignored"))
    fields = [c.field for c in columns if c.field]
    for target in sorted({f for f in fields if fields.count(f) > 1}):
        names = " and ".join(c.header or f"column {c.number}" for c in columns if c.field == target)
        problems.append(
            {"field": "mapping", "message": f"{names} are both mapped to {FIELDS[target]}"}
        )
    if "title" not in fields:
        problems.append(
            {
                "field": "mapping",
                "message": "no column is the milestone title: map one to Milestone",
            }
        )
    if "owner" in fields and "owner_side" in fields:
        problems.append(
            {"field": "mapping", "message": "map either an Owner column or an Owner side column"}
        )
    return columns

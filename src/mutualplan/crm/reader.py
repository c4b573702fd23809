"""A CRM export read into deal records: the source recognised from its headers (or named),
each column mapped to a deal field, every cell parsed; every problem with its line. The whole
reading (with its preview) is `crm/preview.py`; this module holds its parts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from mutualplan.core.text import unstorable
from mutualplan.crm import generic, hubspot, salesforce
from mutualplan.crm.fields import IGNORE
from mutualplan.crm.table import Row
from mutualplan.crm.values import key_of, parse_amount, parse_datetime

SOURCES = ("auto", salesforce.NAME, hubspot.NAME, generic.NAME)
PRESETS = {
    salesforce.NAME: salesforce.COLUMNS,
    hubspot.NAME: hubspot.COLUMNS,
    generic.NAME: generic.COLUMNS,
}
WON_KEYS = frozenset({"closed_won", "won"}) | hubspot.WON
LOST_KEYS = frozenset({"closed_lost", "lost"}) | hubspot.LOST
# The longest text each deal field stores (the Deal model's columns).
MAX_LENGTH = {
    "crm_id": 100,
    "account_name": 200,
    "deal_name": 200,
    "stage": 50,
    "owner": 254,
    "account_type": 50,
    "industry": 100,
}


class CrmFileError(ValueError):
    """Every problem of the file, each {"field": "line 7" or "file"/"columns"/"mapping",
    "message": ...}."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__(f"{errors[0]['field']}: {errors[0]['message']}")
        self.errors = errors


@dataclass(frozen=True)
class DealRecord:
    """One deal of the file. None: the file does not say (the saved value is kept)."""

    line: int
    crm_id: str
    account_name: str
    stage: str  # the CRM's own stage name, as written
    outcome: str  # "open", "won" or "lost"
    created: dt.datetime | None = None
    close_date: dt.date | None = None
    amount: Decimal | None = None
    currency: str | None = None
    owner: str | None = None
    account_type: str | None = None
    industry: str | None = None


@dataclass
class DealFile:
    source: str
    columns: dict[str, str]  # header as written -> deal field (or "ignore")
    records: list[DealRecord] = field(default_factory=list)


def outcome_of(stage: str) -> str:
    """Whether a CRM stage name closes the deal: "won", "lost" or "open"."""
    key = key_of(stage)
    if key in WON_KEYS:
        return "won"
    if key in LOST_KEYS:
        return "lost"
    return "open"


def detect_source(headers: list[str]) -> str:
    """salesforce or hubspot when a header only that CRM writes is there, else generic."""
    names = {h.strip().lower() for h in headers}
    if names & salesforce.MARKERS:
        return salesforce.NAME
    if names & hubspot.MARKERS:
        return hubspot.NAME
    return generic.NAME


def _missing(fields: list[str], headers: list[str]) -> list[dict[str, str]]:
    found = set(fields)
    wanted = [("crm_id", "the deal id"), ("stage", "the stage")]
    if "account_name" not in found and "deal_name" not in found:
        wanted.append(("account_name", "the account name"))
    return [
        {
            "field": "columns",
            "message": f"no column holds {what} ({name}): map one with 'Column={name}'; "
            f"the file's columns are {', '.join(repr(h) for h in headers)}",
        }
        for name, what in wanted
        if name not in found
    ]


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # an id a spreadsheet stored as a number
    return str(value).strip()


class _RowReader:
    def __init__(self, row: Row, fields: list[str], headers: list[str]) -> None:
        self.line = row.line
        self.errors: list[dict[str, str]] = []
        self.cells: dict[str, object] = {}
        self.labels: dict[str, str] = {}
        for i, name in enumerate(fields):
            if name and name != IGNORE:
                cell = row.cells[i] if i < len(row.cells) else ""
                self.cells[name] = cell
                self.labels[name] = headers[i]

    def fail(self, name: str, message: str) -> None:
        self.errors.append({"field": f"line {self.line}", "message": f"{name}: {message}"})

    def text(self, name: str, required: bool = False) -> str | None:
        if name not in self.cells:
            return None
        value = _text(self.cells[name])
        label = self.labels[name]
        why = unstorable(value)
        if why:
            self.fail(label, why)
        elif required and not value:
            self.fail(label, "is blank")
        elif len(value) > MAX_LENGTH.get(name, 10_000):
            self.fail(label, f"is longer than {MAX_LENGTH[name]} characters")
        return value

    def moment(self, name: str) -> dt.datetime | None:
        value = self.cells.get(name, "")
        if value == "" or value is None:
            return None
        try:
            return parse_datetime(value)
        except ValueError as exc:
            self.fail(self.labels[name], str(exc))
            return None


def _record(reader: _RowReader) -> DealRecord:
    crm_id = reader.text("crm_id", required=True) or ""
    deal_name = reader.text("deal_name")
    account = reader.text("account_name")
    account_name = account or deal_name or ""
    if not account_name:
        reader.fail(reader.labels.get("account_name") or reader.labels["deal_name"], "is blank")
    stage = reader.text("stage", required=True) or ""
    outcome = outcome_of(stage)
    created = reader.moment("created")
    closed = reader.moment("close_date")
    close_date = closed.date() if closed else None
    if outcome != "open" and "close_date" in reader.cells and not _text(reader.cells["close_date"]):
        reader.fail(reader.labels["close_date"], f"a {outcome} deal needs its close date")
    if created and close_date and outcome != "open" and close_date < created.date():
        reader.fail(reader.labels["close_date"], "is before the deal was created")
    amount: Decimal | None = None
    currency = reader.text("currency") or None
    raw_amount = reader.cells.get("amount", "")
    if raw_amount not in ("", None):
        try:
            amount, named = parse_amount(raw_amount)
            currency = currency or named or None
        except ValueError as exc:
            reader.fail(reader.labels["amount"], str(exc))
    if currency is not None:
        currency = currency.upper()
        if not (len(currency) == 3 and currency.isascii() and currency.isalpha()):
            reader.fail(reader.labels.get("currency", "currency"), f"{currency!r} is no ISO code")
    stage_key = key_of(stage)
    if stage and not stage_key:
        reader.fail(reader.labels["stage"], f"{stage!r} has no letters or digits")
    account_type = reader.text("account_type")
    return DealRecord(
        line=reader.line,
        crm_id=crm_id,
        account_name=account_name,
        stage=stage,
        outcome=outcome,
        created=created,
        close_date=close_date,
        amount=amount,
        currency=currency,
        owner=reader.text("owner") or None,
        account_type=account_type or None,
        industry=reader.text("industry"),
    )


def _header_at(rows: list[Row], preset: dict[str, str], mapping: dict[str, str]) -> int:
    """The header row: the first of the top rows naming a known column (a report may have a
    title above it), else the first row."""
    for i, row in enumerate(rows[:10]):
        names = {_text(c).lower() for c in row.cells}
        if names & (set(mapping) | set(preset) | salesforce.MARKERS | hubspot.MARKERS):
            return i
    return 0


def _is_footer(row: Row, fields: list[str]) -> bool:
    """A row with no deal id and no stage: a report's "Total" or "Generated by" line."""
    return not any(
        _text(cell)
        for cell, name in zip(row.cells, fields, strict=False)
        if name in ("crm_id", "stage")
    )

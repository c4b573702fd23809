"""CRM import fixtures: the export files of tests/fixtures/crm, and rows made up in bulk."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "crm"
GENERIC_MAPPING = [
    "Ref=crm_id",
    "Customer=account_name",
    "Phase=stage",
    "Opened=created",
    "Expected close=close_date",
    "Value=amount",
    "Rep=owner",
]


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def salesforce_rows(count: int, stage: str = "Qualification", prefix: str = "006") -> bytes:
    """A Salesforce report export of `count` open deals."""
    lines = ["Opportunity ID,Account Name,Stage,Close Date,Created Date,Amount"]
    lines += [
        f'{prefix}{i:012d},Account {i},{stage},6/30/2027,1/15/2026,"${1000 + i:,}.00"'
        for i in range(count)
    ]
    return ("\n".join(lines) + "\n").encode()

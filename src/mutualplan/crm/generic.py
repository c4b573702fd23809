"""Any other CSV or XLSX: the columns come from the caller's mapping ("Column=field"), with a
few names every export tends to use."""

from __future__ import annotations

from mutualplan.crm.fields import FIELDS, IGNORE

NAME = "generic"
COLUMNS: dict[str, str] = {
    "deal id": "crm_id",
    "crm id": "crm_id",
    "external id": "crm_id",
    "account": "account_name",
    "account name": "account_name",
    "company": "account_name",
    "deal name": "deal_name",
    "stage": "stage",
    "created": "created",
    "created date": "created",
    "engaged": "created",
    "close date": "close_date",
    "closed": "close_date",
    "amount": "amount",
    "currency": "currency",
    "owner": "owner",
    "owner email": "owner",
    "account type": "account_type",
    "segment": "account_type",
    "industry": "industry",
}


def parse_mapping(pairs: list[str] | dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """The caller's mapping as {column (lower case): field}, and every problem in it."""
    items = list(pairs.items()) if isinstance(pairs, dict) else []
    problems: list[str] = []
    if isinstance(pairs, list):
        for pair in pairs:
            column, sep, field = pair.partition("=")
            if not sep:
                problems.append(f"{pair!r} is not Column=field")
                continue
            items.append((column, field))
    mapping: dict[str, str] = {}
    for column, field in items:
        field = field.strip()
        if not column.strip():
            problems.append(f"a mapping to {field!r} names no column")
        elif field not in FIELDS and field != IGNORE:
            problems.append(
                f"{column.strip()!r}: {field!r} is not a field; use one of "
                + ", ".join([*FIELDS, IGNORE])
            )
        else:
            mapping[column.strip().lower()] = field
    return mapping, problems

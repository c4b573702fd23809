"""The rules of an edit to a row (milestone), with no database: which fields the buyer side
may change, which may be cleared with null, what the edit changes, when it unconfirms the
row and when it counts as a status update. `plans.services.milestones` applies them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from typing import Any

from mutualplan.core.vocab import MilestoneStatus, OwnerSide

# What the buyer side may change on a buyer or joint row; everything else is the seller's.
BUYER_FIELDS = frozenset({"title", "owner_team", "due_date", "status", "notes", "completed_at"})
# A change to any of these makes a confirmed row unconfirmed again.
CONFIRMED_FIELDS = frozenset({"due_date", "owner_side", "owner_team", "owner_person_id"})
# Fields that may be cleared with null; every other field needs a value when it is sent.
NULLABLE_FIELDS = frozenset({"owner_person_id", "due_date", "turnaround_days", "completed_at"})
# Changes that count as a status update on the step (what makes a buyer step not stale).
STATUS_UPDATE_FIELDS = frozenset({"status", "notes", "due_date", "completed_at"})
# Sent fields that are not a column of the row: the service checks and writes each its way.
DERIVED_FIELDS = frozenset({"depends_on", "risk_checklist", "anchored"})
# What an edit writes for its own bookkeeping, never named in the activity line.
BOOKKEEPING_FIELDS = frozenset(
    {"status_updated_at", "status_updated_by", "anchor_offset", "confirmed_at", "unconfirmed_at"}
)


def refused_null(fields: Mapping[str, Any]) -> str | None:
    """The first field sent as null that needs a value (left out, it would be kept)."""
    return next(
        (name for name, value in fields.items() if value is None and name not in NULLABLE_FIELDS),
        None,
    )


def buyer_refusal(owner_side: str, fields: Collection[str]) -> str | None:
    """Why the buyer side may not make this edit to a row of `owner_side`; None if it may."""
    if owner_side == OwnerSide.SELLER:
        return "this is a seller step; the buyer side updates buyer and joint rows"
    forbidden = set(fields) - BUYER_FIELDS
    if forbidden:
        return f"the buyer side cannot change {', '.join(sorted(forbidden))}"
    return None


def column_changes(stored: Mapping[str, Any], fields: Mapping[str, Any]) -> dict[str, Any]:
    """The sent columns whose value differs from the `stored` one, a new title trimmed."""
    changes = {
        name: value
        for name, value in fields.items()
        if name not in DERIVED_FIELDS and stored[name] != value
    }
    if "title" in changes:
        changes["title"] = changes["title"].strip()
    return changes


def completed_on(status: str, today: dt.date) -> dt.date | None:
    """The completion date a status change implies when none is sent: today once done."""
    return today if status == MilestoneStatus.DONE else None


def unconfirms(changed: Collection[str]) -> bool:
    """Whether changing these fields takes back the buyer's confirmation of the row."""
    return bool(CONFIRMED_FIELDS & set(changed))


def is_status_update(changed: Collection[str]) -> bool:
    """Whether changing these fields counts as an update of the step's status."""
    return bool(STATUS_UPDATE_FIELDS & set(changed))


def shown_fields(changed: Collection[str], dependencies_changed: bool) -> list[str]:
    """The fields the activity line names, in a stable order."""
    shown = set(changed) - BOOKKEEPING_FIELDS
    if dependencies_changed:
        shown.add("depends_on")
    return sorted(shown)

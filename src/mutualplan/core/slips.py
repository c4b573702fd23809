"""Slip diagnostics: how far a plan's dates moved, why, and on whose side. Pure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

# The owner side of a move of the target date itself.
TARGET = "target"
UNEXPLAINED = "unexplained"


@dataclass(frozen=True)
class SlipRecord:
    """One date move. `owner_side` is the moved row's, or TARGET for the target date."""

    id: int
    milestone_id: int | None
    title: str
    days: int
    owner_side: str
    reason_category: str = ""
    reason_text: str = ""
    during_build: bool = False
    from_date: dt.date | None = None
    to_date: dt.date | None = None
    created_on: dt.date | None = None

    @property
    def unexplained(self) -> bool:
        """Moved after the plan was committed without a reason (health's `unexplained_slip`)."""
        return not self.reason_category and not self.during_build

    @property
    def reason_label(self) -> str:
        if self.reason_category:
            return self.reason_category.replace("_", " ")
        return "while building" if self.during_build else "no reason given"


@dataclass(frozen=True)
class SlipGroup:
    key: str
    label: str
    count: int
    days: int


@dataclass(frozen=True)
class SlipSummary:
    count: int
    total_days: int
    unexplained: int
    baseline_target: dt.date | None
    current_target: dt.date | None
    target_days_moved: int | None
    by_reason: tuple[SlipGroup, ...]
    by_side: tuple[SlipGroup, ...]
    by_row: tuple[SlipGroup, ...]
    slips: tuple[SlipRecord, ...]


def _groups(
    slips: Sequence[SlipRecord], key_of: dict[int, tuple[str, str]]
) -> tuple[SlipGroup, ...]:
    counts: dict[str, list[int]] = {}
    labels: dict[str, str] = {}
    for slip in slips:
        key, label = key_of[slip.id]
        counts.setdefault(key, [0, 0])
        counts[key][0] += 1
        counts[key][1] += max(slip.days, 0)
        labels[key] = label
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1][1], -kv[1][0], labels[kv[0]]))
    return tuple(SlipGroup(k, labels[k], n, days) for k, (n, days) in ordered)


def slip_summary(
    slips: Sequence[SlipRecord],
    baseline_target: dt.date | None,
    current_target: dt.date | None,
) -> SlipSummary:
    """Total days slipped (later moves only; a date pulled in is not a slip), slips by reason,
    by owner side and by row, and the target's baseline against its current date."""
    moved = (
        (current_target - baseline_target).days
        if baseline_target is not None and current_target is not None
        else None
    )
    reason = {
        s.id: (
            s.reason_category or ("during_build" if s.during_build else UNEXPLAINED),
            s.reason_label,
        )
        for s in slips
    }
    side = {
        s.id: (s.owner_side, "target date" if s.owner_side == TARGET else f"{s.owner_side} side")
        for s in slips
    }
    row = {
        s.id: (str(s.milestone_id) if s.milestone_id else TARGET, s.title or "target date")
        for s in slips
    }
    return SlipSummary(
        count=len(slips),
        total_days=sum(max(s.days, 0) for s in slips),
        unexplained=sum(1 for s in slips if s.unexplained),
        baseline_target=baseline_target,
        current_target=current_target,
        target_days_moved=moved,
        by_reason=_groups(slips, reason),
        by_side=_groups(slips, side),
        by_row=_groups(slips, row),
        slips=tuple(slips),
    )

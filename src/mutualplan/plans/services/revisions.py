"""What changed since the buyer last received the plan: the "what changed" of a revised
version, told from the versions as sent (`core.versions.diff` over their snapshots).

A snapshot holds only what the buyer sees (rows, owners, dates, statuses, shared notes, the
target date and its reason), so the summary can go to the buyer as it is: in the revised
version's email, on the buyer page and in the buyer API.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from mutualplan.core import versions as core_versions
from mutualplan.plans.models import Plan, PlanVersion
from mutualplan.plans.services.versions import snapshot
from mutualplan.workspaces.clock import date_in


@dataclass(frozen=True)
class Revision:
    """The changes from the version the buyer received (`since_number`, sent `since`) to the
    new one (`number`; None for the plan as it is now, not yet sent)."""

    since_number: int
    since: dt.date
    number: int | None
    changes: tuple[core_versions.Change, ...]

    @property
    def since_label(self) -> str:
        return f"{self.since:%B} {self.since.day}, {self.since.year}"

    @property
    def heading(self) -> str:
        return f"What changed since the version you received on {self.since_label}"

    @property
    def summary(self) -> list[str]:
        """One line per change; a single line saying so when nothing changed."""
        if not self.changes:
            return [f"No changes since the version you received on {self.since_label}."]
        return [c.text for c in self.changes]


def _revision(plan: Plan, old: PlanVersion, new: dict[str, Any], number: int | None) -> Revision:
    return Revision(
        since_number=old.number,
        since=date_in(plan.workspace, old.created_at),
        number=number,
        changes=tuple(core_versions.diff(old.snapshot or {}, new)),
    )


def revision_of(version: PlanVersion) -> Revision | None:
    """What `version` changed since the version sent before it; None for a first version."""
    previous = (
        PlanVersion.objects.filter(plan_id=version.plan_id, number__lt=version.number)
        .order_by("-number")
        .first()
    )
    if previous is None:
        return None
    return _revision(version.plan, previous, version.snapshot or {}, version.number)


def latest_revision(plan: Plan) -> Revision | None:
    """What the last version sent changed since the one before (the buyer page's card)."""
    last = plan.versions.order_by("-number").first()
    return revision_of(last) if last is not None else None


def pending_revision(plan: Plan) -> Revision | None:
    """What sending now would tell the buyer: the plan as it is against the last version
    sent; None when nothing was sent yet (a send now is the first version)."""
    last = plan.versions.order_by("-number").first()
    if last is None:
        return None
    return _revision(plan, last, snapshot(plan), None)

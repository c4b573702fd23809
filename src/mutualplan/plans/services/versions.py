"""Sending a clean version to the buyer, and the champion's confirmation of dates and owners.

Whichever comes first commits the plan: its dates become the baseline, and from then on a
date move needs a reason.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from mutualplan.core import versions as core_versions
from mutualplan.core.vocab import ActivityVerb
from mutualplan.plans.actors import Actor, seller_display_name
from mutualplan.plans.errors import Invalid, NotFound
from mutualplan.plans.models import Confirmation, Milestone, Plan, PlanVersion
from mutualplan.plans.services.history import record


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def snapshot(plan: Plan) -> dict[str, Any]:
    rows = list(plan.milestones.select_related("owner_person"))
    return {
        "target_date": _iso(plan.target_date),
        "target_reason": plan.target_reason,
        "milestones": [
            {
                "id": m.id,
                "title": m.title,
                "owner_side": m.owner_side,
                "owner_team": m.owner_team,
                "owner_person": m.owner_person.name if m.owner_person else "",
                "due_date": _iso(m.due_date),
                "status": m.status,
                "notes": m.notes,
                "step_type": m.step_type,
                "high_risk": m.high_risk,
                "added_by_side": m.added_by_side,
                "added_by_name": m.added_by_name,
            }
            for m in rows
        ],
    }


def _commit(plan: Plan, now: dt.datetime) -> None:
    """First confirmation or send: keep the baseline; from now on date moves need reasons."""
    if plan.committed_at is None:
        plan.committed_at = now
    if plan.baseline_target_date is None:
        plan.baseline_target_date = plan.target_date


@transaction.atomic
def send_version(plan: Plan, actor: Actor, note: str = "") -> PlanVersion:
    """Snapshot the plan as sent to the buyer ("send a clean version")."""
    plan = Plan.objects.select_for_update().get(id=plan.id)
    if plan.target_date is None:
        raise Invalid.field("target_date", "set a target date before sending the plan")
    last = plan.versions.order_by("-number").first()
    version = PlanVersion.objects.create(
        plan=plan,
        number=(last.number + 1) if last else 1,
        snapshot=snapshot(plan),
        note=note,
        created_by=actor.user,
    )
    _commit(plan, version.created_at)
    plan.save(update_fields=["committed_at", "baseline_target_date"])
    record(
        plan,
        actor,
        ActivityVerb.VERSION_SENT,
        f"sent version {version.number} to the buyer",
        data={"number": version.number},
    )
    return version


@transaction.atomic
def confirm(plan: Plan, actor: Actor, milestone_ids: list[int] | None = None) -> Confirmation:
    """The champion confirms dates and owners, of the whole plan or of the given rows.

    The first confirmed dates become the baseline.
    """
    plan = Plan.objects.select_for_update().get(id=plan.id)
    if plan.target_date is None:
        raise Invalid.field(
            "target_date", "the plan has no target date yet, so there are no dates to confirm"
        )
    rows = Milestone.objects.select_for_update().filter(plan=plan)
    if milestone_ids is not None:
        rows = rows.filter(id__in=milestone_ids)
        found = set(rows.values_list("id", flat=True))
        missing = [i for i in milestone_ids if i not in found]
        if missing:
            raise Invalid.field("milestone_ids", f"milestone {missing[0]} is not in this plan")
        if not milestone_ids:
            raise Invalid.field("milestone_ids", "name at least one row to confirm")
    now = timezone.now()
    confirmed = list(rows)
    for row in confirmed:
        row.confirmed_at = now
        row.unconfirmed_at = None
        if row.baseline_due_date is None:
            row.baseline_due_date = row.due_date
    Milestone.objects.bulk_update(
        confirmed, ["confirmed_at", "unconfirmed_at", "baseline_due_date"]
    )
    _commit(plan, now)
    if milestone_ids is None:
        plan.confirmed_at = now
    plan.save(update_fields=["committed_at", "baseline_target_date", "confirmed_at"])
    confirmation = Confirmation.objects.create(
        plan=plan,
        milestone=confirmed[0] if milestone_ids is not None and len(confirmed) == 1 else None,
        buyer_name=actor.name,
        buyer_email=actor.email,
        snapshot={
            "milestones": [
                {
                    "id": r.id,
                    "due_date": _iso(r.due_date),
                    "owner_side": r.owner_side,
                    "owner_team": r.owner_team,
                }
                for r in confirmed
            ]
        },
    )
    what = "the whole plan" if milestone_ids is None else f"{len(confirmed)} row(s)"
    record(
        plan,
        actor,
        ActivityVerb.PLAN_CONFIRMED,
        f"confirmed dates and owners of {what}",
        data={"milestone_ids": [r.id for r in confirmed], "whole": milestone_ids is None},
    )
    return confirmation


def change_dict(change: core_versions.Change) -> dict[str, Any]:
    """One change as the API tells it (the versions diff and the send answer alike)."""
    return {
        "kind": change.kind,
        "milestone_id": change.milestone_id,
        "title": change.title,
        "summary": change.text,
        "days": change.days,
        "from_date": change.from_date,
        "to_date": change.to_date,
        "before": change.before,
        "after": change.after,
    }


# ---- reading versions back --------------------------------------------------------------


def version_list(plan: Plan) -> list[PlanVersion]:
    """The plan's versions as sent, oldest first, with who sent each."""
    return list(plan.versions.select_related("created_by").order_by("number"))


def version_dict(version: PlanVersion) -> dict[str, Any]:
    user = version.created_by
    return {
        "number": version.number,
        "sent_at": version.created_at,
        "sent_by": seller_display_name(user) if user else "",
        "note": version.note,
    }


def get_version(plan: Plan, number: int) -> PlanVersion:
    """The plan's version with this number, or NotFound."""
    found = (
        plan.versions.select_related("created_by").filter(number=number).first()
        if 0 < number <= 2**31 - 1
        else None
    )
    if found is None:
        raise NotFound(f"version {number} of plan {plan.id} not found")
    return found


def version_diff(plan: Plan, a: int, b: int) -> dict[str, Any]:
    """What changed from version `a` to version `b` of the plan (either order)."""
    old, new = get_version(plan, a), get_version(plan, b)
    changes = core_versions.diff(old.snapshot or {}, new.snapshot or {})
    return {
        "plan_id": plan.id,
        "from_version": version_dict(old),
        "to_version": version_dict(new),
        "changes": [change_dict(c) for c in changes],
    }

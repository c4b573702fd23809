"""Recording what happened: activity rows, slips and the baseline."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mutualplan.core.vocab import SlipReason
from mutualplan.plans import live
from mutualplan.plans.actors import Actor
from mutualplan.plans.errors import Invalid
from mutualplan.plans.models import Activity, BuyerVisitor, Milestone, Plan, Slip

# Activities the buyer side never sees: share-link management and private-notes-only edits.
SELLER_ONLY_VERBS = frozenset({"share_link_created", "share_link_revoked"})


def is_seller_only(verb: str, data: dict[str, Any]) -> bool:
    """Whether an activity (or its live event) must stay off buyer pages and streams."""
    return verb in SELLER_ONLY_VERBS or (
        verb == "milestone_updated" and set(data.get("fields", ())) <= {"private_notes"}
    )


def activity_event(row: Activity) -> dict[str, Any]:
    """An activity as its live event: what streams send, live or replayed on reconnect."""
    return {
        "id": row.id,
        "verb": row.verb,
        "summary": row.summary,
        "milestone_id": row.milestone_id,
        "actor": {"kind": row.actor_kind, "name": row.actor_name},
        "at": row.created_at.isoformat(),
        "seller_only": is_seller_only(row.verb, row.data),
    }


def record(
    plan: Plan,
    actor: Actor,
    verb: str,
    summary: str,
    milestone: Milestone | None = None,
    data: dict[str, Any] | None = None,
) -> Activity:
    """Write one activity row and publish it as the plan's live event."""
    activity = Activity.objects.create(
        plan=plan,
        milestone=milestone,
        actor_kind=actor.kind,
        actor_user=actor.user,
        actor_name=actor.name,
        actor_email=actor.email,
        verb=verb,
        summary=summary,
        data=data or {},
    )
    if actor.is_buyer:
        now = activity.created_at
        Plan.objects.filter(id=plan.id).update(last_buyer_activity_at=now)
        plan.last_buyer_activity_at = now
        if actor.share_link is not None:
            _note_visitor(actor, now)
    live.publish(plan.id, activity_event(activity))
    return activity


def _note_visitor(actor: Actor, now: dt.datetime) -> None:
    visitor, created = BuyerVisitor.objects.get_or_create(
        share_link=actor.share_link,
        email=actor.email.lower(),
        defaults={"name": actor.name, "first_seen_at": now, "last_seen_at": now, "writes": 1},
    )
    if not created:
        visitor.name = actor.name
        visitor.last_seen_at = now
        visitor.writes += 1
        visitor.save(update_fields=["name", "last_seen_at", "writes"])


def require_reason(
    plan: Plan, reason_category: str | None, field: str = "reason_category"
) -> SlipReason | None:
    """After the plan was first confirmed or sent, a date move must say why it moved."""
    if reason_category:
        try:
            return SlipReason(reason_category)
        except ValueError:
            allowed = ", ".join(r.value for r in SlipReason)
            raise Invalid.field(
                field, f"unknown reason {reason_category!r}; use one of {allowed}"
            ) from None
    if plan.committed_at is not None:
        raise Invalid.field(
            field,
            "this plan has been confirmed or sent, so a date move needs a reason category "
            "(why did it move?)",
        )
    return None


def record_slip(
    plan: Plan,
    actor: Actor,
    milestone: Milestone | None,
    from_date: dt.date | None,
    to_date: dt.date | None,
    reason: SlipReason | None,
    reason_text: str,
) -> Slip:
    days = (to_date - from_date).days if from_date and to_date else 0
    return Slip.objects.create(
        plan=plan,
        milestone=milestone,
        milestone_title=milestone.title if milestone else "",
        from_date=from_date,
        to_date=to_date,
        days=days,
        reason_category=reason.value if reason else "",
        reason_text=reason_text,
        during_build=plan.committed_at is None,
        actor_kind=actor.kind,
        actor_user=actor.user,
        actor_name=actor.name,
    )

"""Recording what happened: activity rows, slips and the baseline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from mutualplan.core.vocab import SIDE_LABELS, STATUS_LABELS, ActivityVerb, SlipReason, label
from mutualplan.plans import live
from mutualplan.plans.actors import Actor
from mutualplan.plans.errors import Invalid
from mutualplan.plans.models import Activity, BuyerVisitor, Milestone, Plan, Slip
from mutualplan.webhooks import services as webhooks

# What the buyer side is told of each activity. The buyer sees the plan, not the deal: no
# deal edits (amount, stage, account type, CRM reference), no private notes or risk-checklist
# answers, no share-link management, and no slip reason, which is the seller's diagnosis.
# Each entry builds the buyer's line from the facts in `Activity.data`, never from the seller's
# summary; a verb with no entry (or an entry that answers None) stays off the buyer side.

# Row fields whose change the buyer may be told of (they show on the buyer's row).
BUYER_ROW_FIELDS = (
    "title",
    "owner_side",
    "owner_team",
    "owner_person_id",
    "due_date",
    "turnaround_days",
    "status",
    "notes",
    "high_risk",
    "completed_at",
)
# Plan and deal fields the buyer may be told of, as the buyer reads them.
BUYER_PLAN_FIELDS = {
    "target_reason": "the reason for the date",
    "status": "the plan status",
    "contact_email": "the seller contact",
    "country": "the working calendar",
    "business_days": "the working calendar",
    "deal.account_name": "the account name",
}
# Row fields whose value a line does not repeat (long or private text, lists).
TEXT_FIELDS = frozenset({"private_notes", "notes", "risk_checklist", "depends_on"})


# Row fields the activity line does not name at all: bookkeeping that follows another change
# (a row marked done gets its completion date; the status is the news).
UNNAMED_FIELDS = frozenset({"completed_at"})
# How a line names a field, and how it words the field's value.
FIELD_LABELS = {"owner_person_id": "owner", "turnaround_days": "turnaround (days)"}
BOOL_WORDS = {"True": "yes", "False": "no"}


def shown_value(value: Any) -> str:
    """A field's value as activity data holds it (`values`, `old_values`): its text, or
    `none` when empty. One form for row and plan edits, read back by `plans.replay`."""
    return str(value) if value not in (None, "") else "none"


def _value_words(field: str, value: str) -> str:
    if value == "none":
        return "none"
    if field == "status":
        return STATUS_LABELS.get(value, value)
    if field == "owner_side":
        return SIDE_LABELS.get(value, value)
    if field == "step_type":
        return label(value)
    if field in ("due_date", "baseline_due_date"):
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            return value
        return f"{day:%b} {day.day}, {day.year}"
    return BOOL_WORDS.get(value, value)


def describe_change(field: str, values: dict[str, str]) -> str:
    """One changed row field as an activity line names it, in words: `status: In progress`,
    `due date: Mar 3, 2027`, or just `notes` for long or private text."""
    label = FIELD_LABELS.get(field, field.replace("_id", "").replace("_", " "))
    if field in TEXT_FIELDS or field not in values:
        return label
    return f"{label}: {_value_words(field, values[field])}"


def describe_changes(fields: list[str], values: dict[str, str]) -> str:
    """The changed fields of a row edit as one line's tail, e.g. `status: Done, notes`; the
    one place the seller's feed, the API, the live stream and the buyer's line word them."""
    return ", ".join(describe_change(f, values) for f in fields if f not in UNNAMED_FIELDS)


def _titled(data: dict[str, Any], text: str, untitled: str) -> str:
    title = data.get("title")
    return text.format(title=title) if isinstance(title, str) and title else untitled


def _date_move(data: dict[str, Any]) -> str:
    # The dates, never the reason: the seller's diagnosis of a slip stays with the seller.
    start, end = data.get("from"), data.get("to")
    if not end:
        return "moved the target date"
    if not start:
        return f"set the target date to {end}"
    days = (dt.date.fromisoformat(end) - dt.date.fromisoformat(start)).days
    return f"moved the target date from {start} to {end} ({days:+d} days)"


def _plan_edit(data: dict[str, Any]) -> str | None:
    labels = [BUYER_PLAN_FIELDS[f] for f in data.get("fields", ()) if f in BUYER_PLAN_FIELDS]
    return "edited " + ", ".join(dict.fromkeys(labels)) if labels else None


def _row_edit(data: dict[str, Any]) -> str | None:
    shown = [f for f in data.get("fields", ()) if f in BUYER_ROW_FIELDS]
    if not shown:
        return None
    values = {k: str(v) for k, v in data.get("values", {}).items() if k in BUYER_ROW_FIELDS}
    changes = describe_changes(shown, values)
    if not changes:
        return _titled(data, "updated '{title}'", "updated a row")
    return _titled(data, "updated '{title}': " + changes, "updated a row: " + changes)


def _version(data: dict[str, Any]) -> str:
    number = data.get("number")
    return f"sent version {number} of the plan" if number else "sent a new version of the plan"


def _confirmation(data: dict[str, Any]) -> str:
    if data.get("whole", True):
        return "confirmed dates and owners of the whole plan"
    return f"confirmed dates and owners of {len(data.get('milestone_ids', ()))} row(s)"


BUYER_LINES: dict[str, Callable[[dict[str, Any]], str | None]] = {
    ActivityVerb.PLAN_CREATED: lambda data: "created the plan",
    ActivityVerb.PLAN_RETARGETED: _date_move,
    ActivityVerb.PLAN_UPDATED: _plan_edit,
    ActivityVerb.MILESTONE_ADDED: lambda data: _titled(data, "added '{title}'", "added a row"),
    ActivityVerb.MILESTONE_UPDATED: _row_edit,
    ActivityVerb.MILESTONE_REMOVED: lambda data: _titled(
        data, "removed '{title}'", "removed a row"
    ),
    ActivityVerb.MILESTONES_REORDERED: lambda data: "reordered the rows",
    ActivityVerb.COMMENT_ADDED: lambda data: _titled(
        data, "commented on '{title}'", "commented on a row"
    ),
    ActivityVerb.VERSION_SENT: _version,
    ActivityVerb.PLAN_CONFIRMED: _confirmation,
}


def buyer_summary(verb: str, data: dict[str, Any]) -> str | None:
    """The line the buyer side reads for an activity; None when it is the seller's alone."""
    line = BUYER_LINES.get(verb)
    return line(data) if line is not None else None


def is_seller_only(verb: str, data: dict[str, Any]) -> bool:
    """Whether an activity (or its live event) must stay off buyer pages and streams."""
    return buyer_summary(verb, data) is None


def activity_event(row: Activity) -> dict[str, Any]:
    """An activity as the seller's live event: what seller streams send, live or replayed."""
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
    verb: ActivityVerb,
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
    webhooks.emit_activity(activity, milestone)
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
    slip = Slip.objects.create(
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
    webhooks.emit_slip(
        plan,
        milestone,
        from_date,
        to_date,
        days,
        slip.reason_category,
        reason_text,
        actor.kind,
        actor.name,
    )
    return slip

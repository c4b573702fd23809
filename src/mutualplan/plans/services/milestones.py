"""Writes to milestones (rows): add, edit, remove, reorder. Seller and buyer share them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from mutualplan.core.row_edits import (
    BUYER_FIELDS,
    DERIVED_FIELDS,
    buyer_refusal,
    column_changes,
    completed_on,
    is_status_update,
    refused_null,
    shown_fields,
    unconfirms,
)
from mutualplan.core.schedule import find_cycle, offset_from_due
from mutualplan.core.vocab import (
    HIGH_RISK_STEP_TYPES,
    RISK_CHECKLIST,
    ActivityVerb,
    MilestoneStatus,
    OwnerSide,
    RiskAnswer,
    StepType,
    blank_checklist,
)
from mutualplan.plans.actors import Actor
from mutualplan.plans.errors import Conflict, Forbidden, Invalid
from mutualplan.plans.models import Comment, Milestone, Plan, Slip, Stakeholder
from mutualplan.plans.queries import parse_ids
from mutualplan.plans.services.calendars import check_working_day, plan_calendar
from mutualplan.plans.services.history import (
    TEXT_FIELDS,
    describe_changes,
    record,
    record_slip,
    require_reason,
    shown_value,
)
from mutualplan.plans.services.reconfirm import ask_again_later
from mutualplan.workspaces.clock import today_for


def _check_risk_checklist(answers: dict[str, str], base: dict[str, str]) -> dict[str, str]:
    merged = dict(base)
    for key, value in answers.items():
        if key not in RISK_CHECKLIST:
            raise Invalid.field(
                f"risk_checklist.{key}", "unknown question; use one of " + ", ".join(RISK_CHECKLIST)
            )
        if value not in RiskAnswer.__members__.values():
            raise Invalid.field(f"risk_checklist.{key}", "answer yes, no or unknown")
        merged[key] = value
    return merged


def _check_dependencies(plan: Plan, milestone: Milestone | None, ids: list[int]) -> None:
    rows = dict(Milestone.objects.filter(plan=plan).values_list("id", "title"))
    for dep in ids:
        if dep not in rows:
            raise Invalid.field("depends_on", f"milestone {dep} is not in this plan")
        if milestone is not None and dep == milestone.id:
            raise Invalid.field("depends_on", "a milestone cannot depend on itself")
    if milestone is None:
        return
    Through = Milestone.depends_on.through
    graph: dict[int, list[int]] = {mid: [] for mid in rows}
    for src, dst in Through.objects.filter(from_milestone__plan=plan).values_list(
        "from_milestone_id", "to_milestone_id"
    ):
        graph[src].append(dst)
    graph[milestone.id] = list(ids)
    cycle = find_cycle({str(k): [str(d) for d in v] for k, v in graph.items()})
    if cycle:
        names = " -> ".join(rows[int(k)] for k in cycle)
        raise Invalid.field("depends_on", f"dependencies would form a cycle: {names}")


def _check_owner_person(plan: Plan, person_id: int | None) -> None:
    if (
        person_id is not None
        and not Stakeholder.objects.filter(id=person_id, deal_id=plan.deal_id).exists()
    ):
        raise Invalid.field("owner_person_id", f"stakeholder {person_id} is not on this deal")


def _check_enums(fields: dict[str, Any]) -> None:
    for name, enum in (
        ("owner_side", OwnerSide),
        ("status", MilestoneStatus),
        ("step_type", StepType),
    ):
        value = fields.get(name)
        if value is not None and value not in enum.__members__.values():
            allowed = ", ".join(m.value for m in enum)
            raise Invalid.field(name, f"unknown value {value!r}; use one of {allowed}")
    if "title" in fields and not str(fields["title"] or "").strip():
        raise Invalid.field("title", "a milestone needs a title")


@transaction.atomic
def add_milestone(plan: Plan, actor: Actor, fields: dict[str, Any]) -> Milestone:
    """Add a row at the end (or at `position`). A dated row in a dated plan is anchored."""
    fields = {k: v for k, v in fields.items() if v is not None}
    _check_enums(fields)
    if actor.is_buyer:
        forbidden = set(fields) - BUYER_FIELDS - {"owner_side", "position"}
        if forbidden:
            raise Forbidden(f"the buyer side cannot set {', '.join(sorted(forbidden))}")
        if fields.get("owner_side", OwnerSide.BUYER) == OwnerSide.SELLER:
            raise Forbidden(
                "the buyer side adds buyer or joint rows; ask the seller to add seller steps"
            )
    Plan.objects.select_for_update().filter(id=plan.id).first()
    calendar = plan_calendar(plan)
    due = fields.get("due_date")
    if due is not None and plan.business_days:
        check_working_day(calendar, due, "due_date")
    step_type = fields.get("step_type", StepType.CUSTOM)
    deps = fields.pop("depends_on", [])
    _check_dependencies(plan, None, deps)
    _check_owner_person(plan, fields.get("owner_person_id"))
    checklist = _check_risk_checklist(fields.pop("risk_checklist", {}), blank_checklist())
    last = Milestone.objects.filter(plan=plan).aggregate(m=Max("position"))["m"]
    end = 0 if last is None else last + 1
    position = min(max(int(fields.pop("position", end)), 0), end)
    Milestone.objects.filter(plan=plan, position__gte=position).update(position=_plus_one())
    anchored = fields.pop("anchored", True)
    anchor = (
        offset_from_due(plan.target_date, due, calendar)
        if anchored and due is not None and plan.target_date
        else None
    )
    status = fields.get("status", MilestoneStatus.NOT_STARTED)
    now = timezone.now()
    row = Milestone.objects.create(
        plan=plan,
        position=position,
        step_type=step_type,
        owner_side=fields.get(
            "owner_side", OwnerSide.BUYER if actor.is_buyer else OwnerSide.SELLER
        ),
        high_risk=fields.pop("high_risk", StepType(step_type) in HIGH_RISK_STEP_TYPES),
        risk_checklist=checklist,
        anchor_offset=anchor,
        added_by_side=actor.kind,
        added_by_name=actor.name,
        added_at=now,
        status_updated_at=now,
        # Nobody set the status of a new row unless it was added with one.
        status_updated_by=actor.name if "status" in fields else "",
        completed_at=fields.pop(
            "completed_at", today_for(plan.workspace) if status == MilestoneStatus.DONE else None
        ),
        **{
            k: v
            for k, v in fields.items()
            if k
            in (
                "title",
                "owner_team",
                "owner_person_id",
                "due_date",
                "turnaround_days",
                "status",
                "notes",
                "private_notes",
            )
        },
    )
    if deps:
        row.depends_on.set(deps)
    data: dict[str, Any] = {
        "milestone_id": row.id,
        "title": row.title,
        "owner_side": row.owner_side,
        "due_date": _iso(row.due_date),
        # Its prerequisites' ids: a replay rebuilds the links as they stood.
        "depends_on": sorted(deps),
    }
    # A row added done (or in progress) says so: a replay otherwise takes it as not started.
    if row.status != MilestoneStatus.NOT_STARTED:
        data["status"] = str(row.status)
    if row.completed_at is not None:
        data["completed_at"] = _iso(row.completed_at)
    record(
        plan, actor, ActivityVerb.MILESTONE_ADDED, f"added '{row.title}'", milestone=row, data=data
    )
    return row


def _plus_one() -> Any:
    from django.db.models import F

    return F("position") + 1


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


@transaction.atomic
def update_milestone(
    plan: Plan,
    milestone_id: int,
    actor: Actor,
    version: int,
    fields: dict[str, Any],
    reason_category: str | None = None,
    reason_text: str = "",
) -> Milestone:
    """Edit a row if `version` is still current; else Conflict carrying the current row.

    A due-date move records a slip (needing a reason once the plan is confirmed or sent);
    a change to dates or owners unconfirms the row (the rules: `core.row_edits`).
    """
    from mutualplan.plans.access import get_milestone

    row = get_milestone(plan, milestone_id, for_update=True)
    if row.version != version:
        raise Conflict(
            f"'{row.title}' was changed by someone else since you read it (you sent version "
            f"{version}, it is now {row.version}); nothing was saved",
            row,
        )
    _check_edit(row, actor, fields)
    calendar = plan_calendar(plan)
    stored = {name: getattr(row, name) for name in fields.keys() - DERIVED_FIELDS}
    changes = column_changes(stored, fields)
    new_due = changes.get("due_date", row.due_date)
    if "due_date" in changes:
        if new_due is not None and plan.business_days:
            check_working_day(calendar, new_due, "due_date")
        reason = require_reason(plan, reason_category)
        if row.due_date is not None:
            record_slip(plan, actor, row, row.due_date, new_due, reason, reason_text)
    anchored = fields.get("anchored", row.anchor_offset is not None)
    new_anchor = (
        offset_from_due(plan.target_date, new_due, calendar)
        if anchored and new_due is not None and plan.target_date
        else None
    )
    if new_anchor != row.anchor_offset:
        changes["anchor_offset"] = new_anchor
    if "owner_person_id" in changes:
        _check_owner_person(plan, changes["owner_person_id"])
    if "risk_checklist" in fields:
        checklist = _check_risk_checklist(fields["risk_checklist"], row.risk_checklist)
        if checklist != row.risk_checklist:
            changes["risk_checklist"] = checklist
    new_deps = _new_dependencies(plan, row, fields)
    old_deps = parse_ids(row.dependency_ids)  # type: ignore[attr-defined]
    if "status" in changes and "completed_at" not in changes:
        completed = completed_on(changes["status"], today_for(plan.workspace))
        if completed != row.completed_at:
            changes["completed_at"] = completed
    if not changes and new_deps is None:
        return row
    shown = shown_fields(changes.keys(), new_deps is not None)
    named = [k for k in shown if k not in TEXT_FIELDS]
    # What each named field held before the edit: a replay undoes the edit exactly.
    old_values = {
        k: shown_value(_owner_name(row) if k == "owner_person_id" else getattr(row, k))
        for k in named
    }
    _write(row, actor, changes, new_deps)
    # The values shown in the line; the buyer's line (history.BUYER_LINES) picks its own.
    values = {k: shown_value(changes.get(k)) for k in named}
    if "owner_person_id" in values:
        values["owner_person_id"] = shown_value(_owner_name(row))
    said = describe_changes(shown, values)
    data: dict[str, Any] = {
        "milestone_id": row.id,
        "fields": shown,
        "version": row.version,
        "title": row.title,
        "values": values,
        "old_values": old_values,
    }
    if new_deps is not None:
        data["depends_on"], data["old_depends_on"] = sorted(new_deps), old_deps
    record(
        plan,
        actor,
        ActivityVerb.MILESTONE_UPDATED,
        f"updated '{row.title}'" + (f": {said}" if said else ""),
        milestone=row,
        data=data,
    )
    return row


def _owner_name(row: Milestone) -> str | None:
    """The row's owner as both sides see it on the row: the name, never the stakeholder's id."""
    person = row.owner_person if row.owner_person_id else None
    return person.name if person else None


def _check_edit(row: Milestone, actor: Actor, fields: dict[str, Any]) -> None:
    """Refuse values out of their vocabulary, nulls a field can't take, and buyer edits of
    what the seller owns."""
    _check_enums(fields)
    name = refused_null(fields)
    if name is not None:
        raise Invalid.field(name, "must not be null; leave the field out to keep it")
    refusal = buyer_refusal(row.owner_side, fields.keys()) if actor.is_buyer else None
    if refusal:
        raise Forbidden(refusal)


def _new_dependencies(plan: Plan, row: Milestone, fields: dict[str, Any]) -> list[int] | None:
    """The row's prerequisites if the edit changes them (checked: in the plan, no cycle)."""
    if "depends_on" not in fields:
        return None
    # The row is read locked with its prerequisites' ids (`access.get_milestone`).
    current = set(parse_ids(row.dependency_ids))  # type: ignore[attr-defined]
    if set(fields["depends_on"]) == current:
        return None
    _check_dependencies(plan, row, fields["depends_on"])
    return list(fields["depends_on"])


def _write(
    row: Milestone, actor: Actor, changes: dict[str, Any], new_deps: list[int] | None
) -> None:
    """Save the changed columns with a new version, stamping a status update and taking
    back the buyer's confirmation as the rules say."""
    if is_status_update(changes.keys()):
        changes["status_updated_at"] = timezone.now()
    if "status" in changes:
        # Who set the status, shown under it: a notes or date edit does not set it.
        changes["status_updated_by"] = actor.name
    if unconfirms(changes.keys()) and row.confirmed_at is not None:
        changes["confirmed_at"] = None
        changes["unconfirmed_at"] = timezone.now()
        ask_again_later(row.plan_id)
    for key, value in changes.items():
        setattr(row, key, value)
    row.version += 1
    row.save(update_fields=[*changes.keys(), "version"])
    if new_deps is not None:
        row.depends_on.set(new_deps)
        row.dependency_ids = ",".join(str(i) for i in new_deps)  # type: ignore[attr-defined]


@transaction.atomic
def delete_milestone(plan: Plan, milestone_id: int, actor: Actor) -> None:
    from mutualplan.plans.access import get_milestone

    row = get_milestone(plan, milestone_id, for_update=True)
    if actor.is_buyer and row.added_by_side != "buyer":
        raise Forbidden("the buyer side can only remove rows the buyer side added")
    # Every field of the row as it was: a replay rebuilds the removed row from them.
    data = {
        "milestone_id": milestone_id,
        "title": row.title,
        "step_type": row.step_type,
        "owner_side": row.owner_side,
        "owner_team": row.owner_team,
        "due_date": _iso(row.due_date),
        "status": row.status,
        "completed_at": _iso(row.completed_at),
        "turnaround_days": row.turnaround_days,
        "high_risk": row.high_risk,
        "depends_on": parse_ids(row.dependency_ids),  # type: ignore[attr-defined]
        # Its slips, which lose their link to it: a replay ties them back by id, not title.
        "slip_ids": list(Slip.objects.filter(milestone=row).values_list("id", flat=True)),
        # The rows that needed it, with all their prerequisites then: they lose the link.
        "dependents": _dependents(row),
    }
    row.delete()
    record(plan, actor, ActivityVerb.MILESTONE_REMOVED, f"removed '{data['title']}'", data=data)


def _dependents(row: Milestone) -> dict[str, list[int]]:
    """{id of each row that needs `row`: the ids of all its prerequisites}, sorted."""
    Through = Milestone.depends_on.through
    needing = Through.objects.filter(to_milestone=row).values_list("from_milestone_id")
    found: dict[str, list[int]] = {}
    links = Through.objects.filter(from_milestone_id__in=needing).order_by(
        "from_milestone_id", "to_milestone_id"
    )
    for dependent, prerequisite in links.values_list("from_milestone_id", "to_milestone_id"):
        found.setdefault(str(dependent), []).append(prerequisite)
    return found


@transaction.atomic
def reorder_milestones(plan: Plan, actor: Actor, order: list[int]) -> list[Milestone]:
    """Put the rows in `order`, which must name every row of the plan exactly once."""
    Plan.objects.select_for_update().filter(id=plan.id).first()
    rows = {m.id: m for m in Milestone.objects.select_for_update().filter(plan=plan)}
    if len(order) != len(set(order)):
        raise Invalid.field("order", "a milestone is listed twice")
    unknown = [i for i in order if i not in rows]
    if unknown:
        raise Invalid.field("order", f"milestone {unknown[0]} is not in this plan")
    missing = [i for i in rows if i not in order]
    if missing:
        raise Invalid.field(
            "order", f"the order leaves out milestone {missing[0]}; list every row of the plan"
        )
    changed = []
    for position, mid in enumerate(order):
        if rows[mid].position != position:
            rows[mid].position = position
            changed.append(rows[mid])
    if changed:
        Milestone.objects.bulk_update(changed, ["position"])
        record(
            plan,
            actor,
            ActivityVerb.MILESTONES_REORDERED,
            "reordered the rows",
            data={"order": order},
        )
    return [rows[i] for i in order]


@transaction.atomic
def add_comment(plan: Plan, milestone_id: int, actor: Actor, body: str) -> Comment:
    """A comment on any row, from the seller or the buyer side."""
    from mutualplan.plans.access import get_milestone

    body = body.strip()
    if not body:
        raise Invalid.field("body", "write something to comment")
    if len(body) > 5000:
        raise Invalid.field("body", "keep a comment under 5000 characters")
    row = get_milestone(plan, milestone_id)
    comment = Comment.objects.create(
        milestone=row,
        actor_kind=actor.kind,
        actor_user=actor.user,
        actor_name=actor.name,
        body=body,
    )
    record(
        plan,
        actor,
        ActivityVerb.COMMENT_ADDED,
        f"commented on '{row.title}'",
        milestone=row,
        data={"comment_id": comment.id, "title": row.title},
    )
    return comment

"""Plans as they stood at a past instant: their recorded history read into the plain events
of `core.replay` and replayed there. Read-only; three queries for any number of plans.

What the records hold, and so what a replay rebuilds exactly:
- rows added (`milestone_added`: id, title, owner side, due date, prerequisites, and status
  and completion date when not the defaults; the row's `added_at`) and removed
  (`milestone_removed`: id and every replayed field of the row: title, step type, owner side
  and team, due date, status, completion date, turnaround, high risk, prerequisites; and
  `dependents`, each row that needed it with all its prerequisites then, as the removal
  takes the link from them);
- every field change of a row with its new and old value (`milestone_updated` data `values`
  and `old_values`, the same keys, the values as `history.shown_value` words them; new and
  old prerequisites as `depends_on` and `old_depends_on`, lists of row ids);
- due-date moves with both dates (`Slip`, which also covers rows moved with the target,
  which write no activity);
- target moves with both dates and the plan's status before and after (`plan_retargeted`),
  the plan's first target and status (`plan_created`), and plan edits with the old and new
  value of each field (`plan_updated` data `values` and `old_values`; deal fields are there
  as `deal.<name>`, the seller's alone).
What records written before these were kept do not hold (the replay says so in
`PlanState.unknown` or assumes, as noted):
- the old value of a row edit (taken from the edit before it, or the row's creation);
- the status a row was added with (assumed not started, not completed);
- the values of a plan status edit (`plan_updated` named the field only); a first target
  set on a plan with none is taken as draft -> active, as `retarget` does;
- a removed row's fields other than its title (unknown unless an edit before `as_of`
  recorded them), and the id of the row an addition or edit was of once the row is gone;
- the prerequisites an edit changed (unknown), and the link a removed row took from the rows
  that needed it (those rows show the links they have now).
A removed row's slips lose their link to it: its `milestone_removed` names them
(`slip_ids`); old records' slips, additions and edits of a removed row are tied back to it by
title. Still not held: a plan imported from a file records no first target or status (its
values now stand until a recorded edit).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from mutualplan.core.replay import (
    ROW_FIELDS,
    UNSET,
    Event,
    FieldChanged,
    PlanCreated,
    PlanState,
    PlanStatusChanged,
    RowAdded,
    RowRemoved,
    RowState,
    TargetMoved,
    state_as_of,
)
from mutualplan.core.vocab import ActivityVerb, MilestoneStatus, PlanStatus
from mutualplan.plans.models import Activity, Milestone, Plan, Slip
from mutualplan.plans.queries import parse_ids, with_dependency_ids

VERBS = (
    ActivityVerb.PLAN_CREATED,
    ActivityVerb.PLAN_RETARGETED,
    ActivityVerb.PLAN_UPDATED,
    ActivityVerb.MILESTONE_ADDED,
    ActivityVerb.MILESTONE_UPDATED,
    ActivityVerb.MILESTONE_REMOVED,
)
DATE_FIELDS = frozenset({"due_date", "completed_at"})
# A new row's status and completion date unless its `milestone_added` says otherwise.
MADE = {"status": MilestoneStatus.NOT_STARTED.value, "completed_at": None}


def _day(value: Any) -> dt.date | None:
    if value in (None, "", "none"):
        return None
    return dt.date.fromisoformat(str(value))


def _value(name: str, value: Any) -> Any:
    """A field's value as the replay holds it, from activity data (words or JSON)."""
    if name == "depends_on":
        return _ids(value)
    if name in DATE_FIELDS:
        return _day(value)
    if name == "owner_team":
        return "" if value in (None, "none") else value
    if value in (None, "none"):
        return None
    if name == "turnaround_days":
        return int(value)
    if name == "high_risk":
        return value if isinstance(value, bool) else value == "True"
    return value


def _ids(value: Any) -> tuple[int, ...]:
    """Prerequisite ids as activity data holds them (a list), sorted."""
    return tuple(sorted(int(i) for i in value or ()))


def _current(plan: Plan, rows: list[Milestone]) -> PlanState:
    return PlanState(
        target_date=plan.target_date,
        status=plan.status,
        rows=tuple(
            RowState(
                row_id=r.id,
                title=r.title,
                due_date=r.due_date,
                status=r.status,
                completed_at=r.completed_at,
                owner_side=r.owner_side,
                step_type=r.step_type,
                owner_team=r.owner_team,
                turnaround_days=r.turnaround_days,
                high_risk=r.high_risk,
                depends_on=tuple(parse_ids(r.dependency_ids)),  # type: ignore[attr-defined]
            )
            for r in rows
        ),
    )


class _Titles:
    """Ties history whose row was deleted back to the removed row: by the ids the records
    keep, else (old records) by title and time."""

    def __init__(self, removals: list[Activity]) -> None:
        self.removals = removals
        self.slips = {
            int(slip_id): int(removal.data["milestone_id"])
            for removal in removals
            for slip_id in removal.data.get("slip_ids", ())
        }

    def row_of_slip(self, slip: Slip) -> int | None:
        if slip.milestone_id is not None:
            return slip.milestone_id
        if slip.id in self.slips:
            return self.slips[slip.id]
        return self.row_of(slip.milestone_title, slip.created_at)

    def row_of(self, title: str, at: dt.datetime) -> int | None:
        for removal in self.removals:
            if removal.data.get("title") == title and removal.created_at >= at:
                return int(removal.data["milestone_id"])
        return None

    def row_of_activity(self, activity: Activity) -> int | None:
        """The row an addition or edit was of: its link, else the id its data recorded,
        else (an old record of a removed row) the removed row of its title."""
        if activity.milestone_id is not None:
            return activity.milestone_id
        if "milestone_id" in activity.data:
            return int(activity.data["milestone_id"])
        return self.row_of(str(activity.data.get("title", "")), activity.created_at)


def _status_change(activity: Activity) -> PlanStatusChanged:
    """A plan status edit with its recorded values (UNSET when an old record has none)."""
    data, at, seq = activity.data, activity.created_at, activity.id
    new, old = data.get("values", {}), data.get("old_values", {})
    return PlanStatusChanged(
        at,
        _value("status", new["status"]) if "status" in new else UNSET,
        _value("status", old["status"]) if "status" in old else UNSET,
        seq,
    )


def _plan_events(activity: Activity) -> list[Event]:
    data, at, seq = activity.data, activity.created_at, activity.id
    if activity.verb == ActivityVerb.PLAN_CREATED:
        if "target_date" not in data:
            return [PlanCreated(at, {}, seq)]
        target = _day(data["target_date"])
        status = PlanStatus.ACTIVE.value if target else PlanStatus.DRAFT.value
        status = data.get("status", status)
        return [PlanCreated(at, {"target_date": target, "status": status}, seq)]
    if activity.verb == ActivityVerb.PLAN_RETARGETED:
        old = _day(data.get("from"))
        moved: list[Event] = [TargetMoved(at, _day(data.get("to")), old, seq)]
        if "status" in data.get("values", {}):
            moved.append(_status_change(activity))
        elif old is None:
            # An old record: `retarget` makes a draft given its first target active.
            moved.append(
                PlanStatusChanged(at, PlanStatus.ACTIVE.value, PlanStatus.DRAFT.value, seq)
            )
        return moved
    if activity.verb == ActivityVerb.PLAN_UPDATED and "status" in data.get("fields", ()):
        return [_status_change(activity)]
    return []


def _row_events(activity: Activity, row_id: int) -> list[Event]:
    data, at, seq = activity.data, activity.created_at, activity.id
    if activity.verb == ActivityVerb.MILESTONE_ADDED:
        fields = {"title": data.get("title"), "due_date": _day(data.get("due_date"))}
        fields["status"] = data.get("status", MADE["status"])
        fields["completed_at"] = _day(data.get("completed_at"))
        if data.get("owner_side"):
            fields["owner_side"] = data["owner_side"]
        if "depends_on" in data:
            fields["depends_on"] = _ids(data["depends_on"])
        return [RowAdded(at, row_id, fields, seq)]
    if activity.verb == ActivityVerb.MILESTONE_REMOVED:
        # Old records hold the title alone; the rest of such a row is what edits recorded.
        kept = {name: _value(name, data[name]) for name in ROW_FIELDS if name in data}
        removed: list[Event] = [RowRemoved(at, row_id, kept, seq)]
        # The rows that needed it lost it as a prerequisite, which their own records miss.
        for other, before in data.get("dependents", {}).items():
            had = _ids(before)
            left = tuple(i for i in had if i != row_id)
            removed.append(FieldChanged(at, int(other), "depends_on", left, had, seq))
        return removed
    values, olds = data.get("values", {}), data.get("old_values", {})
    changed: list[Event] = [
        FieldChanged(
            at,
            row_id,
            name,
            _value(name, values[name]),
            _value(name, olds[name]) if name in olds else UNSET,
            seq,
        )
        for name in data.get("fields", ())
        if name in ROW_FIELDS and name in values
    ]
    if "depends_on" in data.get("fields", ()):
        # The ids of old and new prerequisites (old records name the change alone).
        changed.append(
            FieldChanged(
                at,
                row_id,
                "depends_on",
                _ids(data["depends_on"]) if "depends_on" in data else UNSET,
                _ids(data["old_depends_on"]) if "old_depends_on" in data else UNSET,
                seq,
            )
        )
    if "title" in data and "title" not in data.get("fields", ()):
        # The row's title at the edit, which left it as it was: seen, not changed.
        changed.append(FieldChanged(at, row_id, "title", data["title"], data["title"], seq))
    return changed


def _events(
    activities: list[Activity], slips: list[Slip], rows: list[Milestone], created_at: dt.datetime
) -> list[Event]:
    removals = [a for a in activities if a.verb == ActivityVerb.MILESTONE_REMOVED]
    titles = _Titles(removals)
    events: list[Event] = []
    added: set[int] = set()
    for activity in activities:
        if activity.verb == ActivityVerb.MILESTONE_REMOVED:
            row_id: int | None = int(activity.data["milestone_id"])
        elif activity.verb in (ActivityVerb.MILESTONE_ADDED, ActivityVerb.MILESTONE_UPDATED):
            row_id = titles.row_of_activity(activity)
        else:
            events.extend(_plan_events(activity))
            continue
        if row_id is None:
            continue
        if activity.verb == ActivityVerb.MILESTONE_ADDED:
            added.add(row_id)
        events.extend(_row_events(activity, row_id))
    for slip in slips:
        slip_row = titles.row_of_slip(slip)
        if slip_row is not None:
            events.append(
                FieldChanged(slip.created_at, slip_row, "due_date", slip.to_date, slip.from_date)
            )
            if slip.milestone_title:
                # The row's title when it slipped: seen, not changed.
                title = slip.milestone_title
                events.append(FieldChanged(slip.created_at, slip_row, "title", title, title))
    for row in rows:
        if row.id not in added:
            # Rows made with the plan (template, import) write no `milestone_added`.
            events.append(RowAdded(row.added_at, row.id, MADE))
    for removal in removals:
        removed = int(removal.data["milestone_id"])
        if removed not in added:
            # Nor did a removed row made with it (or one whose addition lost its link).
            events.append(RowAdded(created_at, removed, MADE))
    return events


def states_as_of(plans: Iterable[Plan], as_of: dt.datetime) -> dict[int, PlanState | None]:
    """Each plan as it stood at `as_of` (None: not created yet), by plan id; three queries
    whatever the number of plans."""
    by_id = {p.id: p for p in plans}
    rows: dict[int, list[Milestone]] = defaultdict(list)
    ordered = Milestone.objects.filter(plan_id__in=by_id).order_by("plan_id", "position", "id")
    for row in with_dependency_ids(ordered):
        rows[row.plan_id].append(row)
    activities: dict[int, list[Activity]] = defaultdict(list)
    for activity in Activity.objects.filter(plan_id__in=by_id, verb__in=VERBS).order_by("id"):
        activities[activity.plan_id].append(activity)
    slips: dict[int, list[Slip]] = defaultdict(list)
    for slip in Slip.objects.filter(plan_id__in=by_id).exclude(milestone_title="", milestone=None):
        slips[slip.plan_id].append(slip)
    found: dict[int, PlanState | None] = {}
    for plan_id, plan in by_id.items():
        if plan.created_at > as_of:
            found[plan_id] = None
            continue
        events = _events(activities[plan_id], slips[plan_id], rows[plan_id], plan.created_at)
        found[plan_id] = state_as_of(_current(plan, rows[plan_id]), events, as_of)
    return found


def state_of(plan: Plan, as_of: dt.datetime) -> PlanState | None:
    """One plan as it stood at `as_of`; None if it was created after."""
    return states_as_of([plan], as_of)[plan.id]


__all__ = ["PlanState", "RowState", "state_of", "states_as_of"]

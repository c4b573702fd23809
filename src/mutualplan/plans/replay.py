"""Plans as they stood at a past instant: their recorded history read into the plain events
of `core.replay` and replayed there. Read-only; three queries for any number of plans.

What the records hold, and so what a replay rebuilds:
- rows added (`milestone_added`: title, owner side, due date; the row's `added_at`) and
  removed (`milestone_removed`: id, title), every field change of a row with its new value
  (`milestone_updated` data `values`), due-date moves with both dates (`Slip`, which also
  covers rows moved with the target, which write no activity), target moves with both dates
  (`plan_retargeted`) and the plan's first target (`plan_created`).
What they do not hold (the replay says so in `PlanState.unknown` or assumes, as noted):
- the old value of a row edit (taken from the edit before it, or the row's creation);
- the status a row was added with (assumed not started, not completed);
- the values of a plan status edit (`plan_updated` names the field only); a first target
  set on a plan with none is taken as draft -> active, as `retarget` does;
- a removed row's earlier history is tied back to it by title (the activity and slip rows
  lose their link to the row when it is deleted).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from mutualplan.core.replay import (
    ROW_FIELDS,
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

VERBS = (
    ActivityVerb.PLAN_CREATED,
    ActivityVerb.PLAN_RETARGETED,
    ActivityVerb.PLAN_UPDATED,
    ActivityVerb.MILESTONE_ADDED,
    ActivityVerb.MILESTONE_UPDATED,
    ActivityVerb.MILESTONE_REMOVED,
)
DATE_FIELDS = frozenset({"due_date", "completed_at"})


def _day(value: Any) -> dt.date | None:
    if value in (None, "", "none"):
        return None
    return dt.date.fromisoformat(str(value))


def _value(name: str, value: Any) -> Any:
    if name in DATE_FIELDS:
        return _day(value)
    return None if value == "none" else value


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
            )
            for r in rows
        ),
    )


class _Titles:
    """Ties history whose row was deleted back to the removed row, by title and time."""

    def __init__(self, removals: list[Activity]) -> None:
        self.removals = removals

    def row_of(self, title: str, at: dt.datetime) -> int | None:
        for removal in self.removals:
            if removal.data.get("title") == title and removal.created_at >= at:
                return int(removal.data["milestone_id"])
        return None


def _plan_events(activity: Activity) -> list[Event]:
    data, at, seq = activity.data, activity.created_at, activity.id
    if activity.verb == ActivityVerb.PLAN_CREATED:
        if "target_date" not in data:
            return [PlanCreated(at, {}, seq)]
        target = _day(data["target_date"])
        status = PlanStatus.ACTIVE.value if target else PlanStatus.DRAFT.value
        return [PlanCreated(at, {"target_date": target, "status": status}, seq)]
    if activity.verb == ActivityVerb.PLAN_RETARGETED:
        old = _day(data.get("from"))
        moved: list[Event] = [TargetMoved(at, _day(data.get("to")), old, seq)]
        if old is None:
            moved.append(
                PlanStatusChanged(at, PlanStatus.ACTIVE.value, PlanStatus.DRAFT.value, seq)
            )
        return moved
    if activity.verb == ActivityVerb.PLAN_UPDATED and "status" in data.get("fields", ()):
        return [PlanStatusChanged(at, seq=seq)]
    return []


def _row_events(activity: Activity, row_id: int) -> list[Event]:
    data, at, seq = activity.data, activity.created_at, activity.id
    if activity.verb == ActivityVerb.MILESTONE_ADDED:
        fields = {"title": data.get("title"), "due_date": _day(data.get("due_date"))}
        fields["status"] = MilestoneStatus.NOT_STARTED.value
        fields["completed_at"] = None
        if data.get("owner_side"):
            fields["owner_side"] = data["owner_side"]
        return [RowAdded(at, row_id, fields, seq)]
    if activity.verb == ActivityVerb.MILESTONE_REMOVED:
        return [RowRemoved(at, row_id, {"title": data.get("title")}, seq)]
    values = data.get("values", {})
    changed: list[Event] = [
        FieldChanged(at, row_id, name, _value(name, values[name]), seq=seq)
        for name in data.get("fields", ())
        if name in ROW_FIELDS and name in values
    ]
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
            row_id = activity.milestone_id or titles.row_of(
                str(activity.data.get("title", "")), activity.created_at
            )
        else:
            events.extend(_plan_events(activity))
            continue
        if row_id is None:
            continue
        if activity.verb == ActivityVerb.MILESTONE_ADDED:
            added.add(row_id)
        events.extend(_row_events(activity, row_id))
    for slip in slips:
        slip_row = slip.milestone_id or titles.row_of(slip.milestone_title, slip.created_at)
        if slip_row is not None:
            events.append(
                FieldChanged(slip.created_at, slip_row, "due_date", slip.to_date, slip.from_date)
            )
            if slip.milestone_title:
                # The row's title when it slipped: seen, not changed.
                title = slip.milestone_title
                events.append(FieldChanged(slip.created_at, slip_row, "title", title, title))
    made = {"status": MilestoneStatus.NOT_STARTED.value, "completed_at": None}
    for row in rows:
        if row.id not in added:
            # Rows made with the plan (template, import) write no `milestone_added`.
            events.append(RowAdded(row.added_at, row.id, made))
    for removal in removals:
        removed = int(removal.data["milestone_id"])
        if removed not in added:
            # Nor did a removed row made with it (or one whose addition lost its link).
            events.append(RowAdded(created_at, removed, made))
    return events


def states_as_of(plans: Iterable[Plan], as_of: dt.datetime) -> dict[int, PlanState | None]:
    """Each plan as it stood at `as_of` (None: not created yet), by plan id; three queries
    whatever the number of plans."""
    by_id = {p.id: p for p in plans}
    rows: dict[int, list[Milestone]] = defaultdict(list)
    for row in Milestone.objects.filter(plan_id__in=by_id).order_by("plan_id", "position", "id"):
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

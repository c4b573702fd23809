"""A plan as it stood at a past instant, rebuilt from what was recorded, with no database.

The input is the plan as it is now (`PlanState`) and the plain events of its history
(rows added, fields changed, rows removed, the target moved, the plan's status changed).
`state_as_of` undoes, for each row and field, every event after `as_of`:

- a row added after `as_of` is absent; a row removed after `as_of` is present;
- a field no event after `as_of` touched keeps its value now (or at removal);
- a field an event after `as_of` touched takes that first event's old value if recorded,
  else the value the latest event at or before `as_of` that set it recorded (the row's
  creation included), else it is unknown (None, named in `PlanState.unknown`): never an
  older value across a change whose value was not recorded.

So every value is either the present one untouched since `as_of`, or one recorded at or
before `as_of`: nothing that happened after `as_of` leaks in. Events at the very instant
`as_of` count as done; events of one instant are ordered by `seq` (e.g. the activity id).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final

# The row fields a replay rebuilds.
ROW_FIELDS: Final = (
    "title",
    "due_date",
    "status",
    "completed_at",
    "owner_side",
    "step_type",
    "owner_team",
    "turnaround_days",
    "high_risk",
    "depends_on",
)
PLAN_FIELDS: Final = ("target_date", "status")


class _Unset:
    """Not recorded: an event whose old (or new) value the records do not hold."""

    _instance: _Unset | None = None

    def __new__(cls) -> _Unset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Final = _Unset()


@dataclass(frozen=True)
class RowState:
    row_id: int
    title: str | None = None
    due_date: dt.date | None = None
    status: str | None = None
    completed_at: dt.date | None = None
    owner_side: str | None = None
    step_type: str | None = None
    owner_team: str | None = None
    turnaround_days: int | None = None
    high_risk: bool | None = None
    # The ids of the row's prerequisites, sorted.
    depends_on: tuple[int, ...] | None = None


@dataclass(frozen=True)
class PlanState:
    target_date: dt.date | None
    status: str | None
    rows: tuple[RowState, ...] = ()
    # What the records could not tell: "status" (the plan's) or "row 7 due_date".
    unknown: frozenset[str] = frozenset()

    def row(self, row_id: int) -> RowState | None:
        return next((r for r in self.rows if r.row_id == row_id), None)


@dataclass(frozen=True)
class PlanCreated:
    """The plan was made, with these fields (`target_date`, `status`) as far as known."""

    at: dt.datetime
    fields: Mapping[str, Any] = field(default_factory=dict)
    seq: int = 0


@dataclass(frozen=True)
class RowAdded:
    """A row was added with these fields (those known; the rest resolve from later events)."""

    at: dt.datetime
    row_id: int
    fields: Mapping[str, Any] = field(default_factory=dict)
    seq: int = 0


@dataclass(frozen=True)
class FieldChanged:
    """One field of a row changed from `old` (UNSET if not recorded) to `new`."""

    at: dt.datetime
    row_id: int
    name: str
    new: Any = UNSET
    old: Any = UNSET
    seq: int = 0


@dataclass(frozen=True)
class RowRemoved:
    """A row was removed; `fields` what is known of it then (e.g. its title)."""

    at: dt.datetime
    row_id: int
    fields: Mapping[str, Any] = field(default_factory=dict)
    seq: int = 0


@dataclass(frozen=True)
class TargetMoved:
    at: dt.datetime
    new: dt.date | None | _Unset = UNSET
    old: dt.date | None | _Unset = UNSET
    seq: int = 0


@dataclass(frozen=True)
class PlanStatusChanged:
    at: dt.datetime
    new: str | _Unset = UNSET
    old: str | _Unset = UNSET
    seq: int = 0


Event = PlanCreated | RowAdded | FieldChanged | RowRemoved | TargetMoved | PlanStatusChanged


def _key(event: Event) -> tuple[dt.datetime, int]:
    return (event.at, event.seq)


@dataclass(frozen=True)
class _Setting:
    """One recorded setting of a field: when, to what, and from what."""

    at: dt.datetime
    seq: int
    new: Any
    old: Any


def _resolve(settings: Sequence[_Setting], now_value: Any, as_of: dt.datetime) -> tuple[Any, bool]:
    """A field's value at `as_of` and whether it is known, from its settings in order."""
    after = [s for s in settings if s.at > as_of]
    before = [s for s in settings if s.at <= as_of]
    if after and after[0].old is not UNSET:
        return after[0].old, True
    if not after and now_value is not UNSET:
        return now_value, True
    if before and before[-1].new is not UNSET:
        return before[-1].new, True
    # Nothing set it, or its last setting recorded no value: an earlier one would be stale.
    return None, False


def _row_settings(events: Sequence[Event], row_id: int, name: str) -> list[_Setting]:
    found = []
    for e in events:
        if isinstance(e, RowAdded) and e.row_id == row_id and name in e.fields:
            found.append(_Setting(e.at, e.seq, e.fields[name], UNSET))
        elif isinstance(e, FieldChanged) and e.row_id == row_id and e.name == name:
            found.append(_Setting(e.at, e.seq, e.new, e.old))
    return found


_PLAN_FIELD_OF: Final[dict[type, str]] = {TargetMoved: "target_date", PlanStatusChanged: "status"}


def _plan_settings(events: Sequence[Event], name: str) -> list[_Setting]:
    found = []
    for e in events:
        if isinstance(e, PlanCreated) and name in e.fields:
            found.append(_Setting(e.at, e.seq, e.fields[name], UNSET))
        elif isinstance(e, TargetMoved | PlanStatusChanged) and name == _PLAN_FIELD_OF[type(e)]:
            found.append(_Setting(e.at, e.seq, e.new, e.old))
    return found


def _present(row_id: int, now: bool, events: Sequence[Event], as_of: dt.datetime) -> bool:
    """Whether the row existed at `as_of`: its presence now, walked back over later events."""
    present = now
    for e in reversed(events):
        if e.at <= as_of:
            break
        if isinstance(e, RowAdded) and e.row_id == row_id:
            present = False
        elif isinstance(e, RowRemoved) and e.row_id == row_id:
            present = True
    return present


def _row_as_of(
    row_id: int,
    now: Mapping[str, Any],
    events: Sequence[Event],
    as_of: dt.datetime,
    unknown: set[str],
) -> RowState:
    values: dict[str, Any] = {}
    for name in ROW_FIELDS:
        value, known = _resolve(_row_settings(events, row_id, name), now.get(name, UNSET), as_of)
        if not known:
            unknown.add(f"row {row_id} {name}")
        values[name] = value
    completed = values["completed_at"]
    if isinstance(completed, dt.date) and completed > as_of.date():
        values["completed_at"] = None  # done later than `as_of`: open then
    return RowState(row_id=row_id, **values)


def _now_fields(row: RowState) -> dict[str, Any]:
    return {name: getattr(row, name) for name in ROW_FIELDS}


def _last_removal(events: Sequence[Event], row_id: int) -> Mapping[str, Any]:
    removals = [e for e in events if isinstance(e, RowRemoved) and e.row_id == row_id]
    return removals[-1].fields if removals else {}


def state_as_of(
    current: PlanState, events: Iterable[Event], as_of: dt.datetime
) -> PlanState | None:
    """The plan at `as_of`: its target, status and the rows that existed then, each as it
    stood then; None if the plan was created after `as_of`. See the module's docstring."""
    ordered = sorted(events, key=_key)
    created = [e for e in ordered if isinstance(e, PlanCreated)]
    if created and created[0].at > as_of:
        return None
    unknown: set[str] = set()
    plan_values: dict[str, Any] = {}
    for name in PLAN_FIELDS:
        value, known = _resolve(_plan_settings(ordered, name), getattr(current, name), as_of)
        if not known:
            unknown.add(name)
        plan_values[name] = value
    now_rows = {r.row_id: r for r in current.rows}
    row_ids = list(now_rows)
    for e in ordered:
        if isinstance(e, RowAdded | RowRemoved | FieldChanged) and e.row_id not in row_ids:
            row_ids.append(e.row_id)
    rows = []
    for row_id in row_ids:
        if not _present(row_id, row_id in now_rows, ordered, as_of):
            continue
        row_now = now_rows.get(row_id)
        # A removed row's "now" is what was known of it at its removal.
        now = _now_fields(row_now) if row_now else dict(_last_removal(ordered, row_id))
        rows.append(_row_as_of(row_id, now, ordered, as_of, unknown))
    return replace(
        current,
        target_date=plan_values["target_date"],
        status=plan_values["status"],
        rows=tuple(rows),
        unknown=frozenset(unknown),
    )

"""A plan rebuilt as it stood at a past instant, from its current state and its events."""

from __future__ import annotations

import datetime as dt

from mutualplan.core.replay import (
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

D = dt.date
T0 = dt.datetime(2027, 1, 1, 9, tzinfo=dt.UTC)


def at(day: int, hour: int = 9) -> dt.datetime:
    return T0 + dt.timedelta(days=day, hours=hour - 9)


def added(day: int, row_id: int, title: str, due: D | None) -> RowAdded:
    fields = {"title": title, "due_date": due, "status": "not_started", "completed_at": None}
    return RowAdded(at(day), row_id, {**fields, "owner_side": "buyer", "step_type": "custom"})


def row(
    row_id: int, title: str, due: D | None, status: str = "not_started", done: D | None = None
) -> RowState:
    return RowState(row_id, title, due, status, done, "buyer", "custom")


# The story: created Jan 1 (target Mar 1) with row 1; row 2 added Jan 3; row 1 slips Jan 5
# (Feb 1 -> Feb 10); row 1 done Jan 8; row 2 removed Jan 9; target moved Jan 10 (-> Mar 15).
EVENTS: list[Event] = [
    PlanCreated(at(0), {"target_date": D(2027, 3, 1), "status": "active"}),
    added(0, 1, "Security review", D(2027, 2, 1)),
    added(2, 2, "Legal review", D(2027, 2, 20)),
    FieldChanged(at(4), 1, "due_date", D(2027, 2, 10), D(2027, 2, 1)),
    FieldChanged(at(7), 1, "status", "done"),
    FieldChanged(at(7), 1, "completed_at", D(2027, 1, 8)),
    RowRemoved(at(8), 2, {"title": "Legal review"}),
    TargetMoved(at(9), D(2027, 3, 15), D(2027, 3, 1)),
]
NOW = PlanState(
    target_date=D(2027, 3, 15),
    status="active",
    rows=(row(1, "Security review", D(2027, 2, 10), "done", D(2027, 1, 8)),),
)


def replay(as_of: dt.datetime, events: list[Event] = EVENTS, now: PlanState = NOW) -> PlanState:
    state = state_as_of(now, events, as_of)
    assert state is not None
    return state


def test_after_the_last_event_the_plan_is_as_it_is_now() -> None:
    assert replay(at(20)) == NOW


def test_before_the_plan_was_created_there_is_no_plan() -> None:
    assert state_as_of(NOW, EVENTS, at(0) - dt.timedelta(seconds=1)) is None


def test_on_the_first_day_only_the_first_row_exists_with_its_first_due_date() -> None:
    state = replay(at(1))
    assert state.rows == (row(1, "Security review", D(2027, 2, 1)),)
    assert state.target_date == D(2027, 3, 1)
    assert state.unknown == frozenset()


def test_a_row_added_later_is_absent_and_present_once_added() -> None:
    assert replay(at(2) - dt.timedelta(minutes=1)).row(2) is None
    assert replay(at(2)).row(2) == row(2, "Legal review", D(2027, 2, 20))


def test_a_slipped_row_has_its_old_date_before_the_slip_and_the_new_one_after() -> None:
    assert replay(at(4) - dt.timedelta(seconds=1)).rows[0].due_date == D(2027, 2, 1)
    assert replay(at(4)).rows[0].due_date == D(2027, 2, 10)


def test_a_row_completed_after_as_of_is_open_then() -> None:
    before = replay(at(6)).rows[0]
    assert (before.status, before.completed_at) == ("not_started", None)
    after = replay(at(7)).rows[0]
    assert (after.status, after.completed_at) == ("done", D(2027, 1, 8))


def test_a_row_removed_after_as_of_is_present_then_with_its_values() -> None:
    assert replay(at(8) - dt.timedelta(seconds=1)).row(2) == row(2, "Legal review", D(2027, 2, 20))
    assert replay(at(8)).row(2) is None


def test_the_target_date_is_the_one_before_a_later_move() -> None:
    assert replay(at(9) - dt.timedelta(seconds=1)).target_date == D(2027, 3, 1)
    assert replay(at(9)).target_date == D(2027, 3, 15)


def test_an_edit_with_no_recorded_old_value_takes_the_value_set_before_it() -> None:
    events = [*EVENTS, FieldChanged(at(11), 1, "title", "Security sign-off")]
    now = PlanState(
        NOW.target_date,
        NOW.status,
        (row(1, "Security sign-off", D(2027, 2, 10), "done", D(2027, 1, 8)),),
    )
    assert replay(at(10), events, now).rows[0].title == "Security review"
    assert replay(at(11), events, now).rows[0].title == "Security sign-off"


def test_events_of_one_instant_apply_in_their_sequence() -> None:
    same = at(12)
    events = [
        *EVENTS,
        FieldChanged(same, 1, "status", "in_progress", seq=2),
        FieldChanged(same, 1, "status", "blocked", seq=3),
        FieldChanged(at(13), 1, "status", "done", seq=4),
    ]
    # The later of the two same-instant edits is the row's status at that instant.
    assert replay(same, events).rows[0].status == "blocked"
    # Before them, the row is still done (the value the first of them replaced, set on day 7).
    assert replay(same - dt.timedelta(seconds=1), events).rows[0].status == "done"


def test_a_value_the_records_cannot_tell_is_unknown_and_named() -> None:
    # A plan status edit that recorded neither value: before it, the status is unknown.
    events: list[Event] = [PlanCreated(at(0)), PlanStatusChanged(at(5))]
    now = PlanState(D(2027, 3, 1), "lost")
    state = replay(at(3), events, now)
    assert state.status is None
    assert "status" in state.unknown
    assert replay(at(6), events, now).status == "lost"


def test_a_status_change_with_recorded_values_is_undone() -> None:
    events: list[Event] = [
        PlanCreated(at(0), {"target_date": None, "status": "draft"}),
        TargetMoved(at(1), D(2027, 3, 1), None),
        PlanStatusChanged(at(1), "active", "draft"),
    ]
    now = PlanState(D(2027, 3, 1), "active")
    assert (replay(at(0), events, now).status, replay(at(0), events, now).target_date) == (
        "draft",
        None,
    )
    assert replay(at(1), events, now).status == "active"


def test_a_completion_dated_after_as_of_is_not_shown_even_if_the_status_is() -> None:
    now = PlanState(D(2027, 3, 1), "active", (row(1, "Kickoff", None, "done", D(2027, 1, 20)),))
    state = replay(at(2), [PlanCreated(at(0))], now)
    assert state.rows[0].completed_at is None


def test_nothing_after_as_of_is_used_even_when_its_old_value_is_missing() -> None:
    # The first change after as_of has no old value and nothing before sets it: unknown,
    # not the new (future) value.
    events: list[Event] = [PlanCreated(at(0)), FieldChanged(at(3), 1, "due_date", D(2027, 5, 1))]
    now = PlanState(None, "draft", (row(1, "Kickoff", D(2027, 5, 1)),))
    state = replay(at(1), events, now)
    assert state.rows[0].due_date is None
    assert "row 1 due_date" in state.unknown
    assert UNSET is not None


def test_a_value_before_an_unrecorded_change_is_not_taken_as_the_value_after_it() -> None:
    events: list[Event] = [
        PlanCreated(at(0), {"target_date": None, "status": "active"}),
        PlanStatusChanged(at(1)),
        PlanStatusChanged(at(2)),
    ]
    now = PlanState(None, "lost")
    assert replay(at(0), events, now).status == "active"
    assert replay(at(1), events, now).status is None
    assert replay(at(2), events, now).status == "lost"

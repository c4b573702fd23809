"""A plan driven through the API, then rebuilt as of each past instant from its records:
each rebuild equals what the API answered at that instant."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from django.utils import timezone

from mutualplan.plans.models import Activity, Milestone, Plan, Slip
from mutualplan.plans.replay import PlanState, state_of, states_as_of
from tests.conftest import Api, day, new_plan

BASE = (timezone.now() - dt.timedelta(days=30)).replace(hour=12, minute=0, second=0, microsecond=0)
STEP = dt.timedelta(days=1)
ROW_KEYS = ("title", "due_date", "status", "completed_at")


class Clock:
    """The workspace clock set to each step's instant; the rows each step wrote stamped
    with it too (model defaults read the real clock)."""

    def __init__(self) -> None:
        self.activity = self.slip = self.row = 0

    def stamp(self, at: dt.datetime, plan_id: int) -> None:
        Activity.objects.filter(plan_id=plan_id, id__gt=self.activity).update(created_at=at)
        Slip.objects.filter(plan_id=plan_id, id__gt=self.slip).update(created_at=at)
        Milestone.objects.filter(plan_id=plan_id, id__gt=self.row).update(added_at=at)
        self.activity = Activity.objects.filter(plan_id=plan_id).latest("id").id
        self.slip = max([self.slip, *Slip.objects.values_list("id", flat=True)])
        self.row = max([self.row, *Milestone.objects.values_list("id", flat=True)])

    @staticmethod
    def at(at: dt.datetime) -> Any:
        return mock.patch("django.utils.timezone.now", return_value=at)


def seen(api: Api, plan_id: int) -> dict[str, Any]:
    """The plan as the API shows it now: target, status and each row's replayed fields."""
    body = api.get(f"/plans/{plan_id}").json_body
    return {
        "target_date": body["target_date"],
        "status": body["status"],
        "rows": {r["id"]: {k: r[k] for k in ROW_KEYS} for r in body["milestones"]},
    }


def replayed(state: PlanState | None) -> dict[str, Any]:
    assert state is not None

    def iso(value: Any) -> Any:
        return value.isoformat() if isinstance(value, dt.date) else value

    return {
        "target_date": iso(state.target_date),
        "status": state.status,
        "rows": {r.row_id: {k: iso(getattr(r, k)) for k in ROW_KEYS} for r in state.rows},
    }


@pytest.fixture
def history(owner_api: Api) -> Iterator[tuple[int, list[tuple[dt.datetime, dict[str, Any]]]]]:
    """A plan taken through seven steps, one a day: what the API showed after each."""
    clock = Clock()
    shown: list[tuple[dt.datetime, dict[str, Any]]] = []
    with clock.at(BASE):
        plan = new_plan(owner_api)
    pid = plan["id"]
    Plan.objects.filter(id=pid).update(created_at=BASE)
    clock.stamp(BASE, pid)
    shown.append((BASE, seen(owner_api, pid)))
    rows = plan["milestones"]
    first, doomed = rows[0], rows[2]
    path = f"/plans/{pid}/milestones"

    def step(n: int, call: Any) -> Any:
        at = BASE + n * STEP
        with clock.at(at):
            response = call()
        assert response.status_code in (200, 201, 204), response.json_body
        clock.stamp(at, pid)
        shown.append((at, seen(owner_api, pid)))
        return response.json_body

    step(
        1,
        lambda: owner_api.patch(
            f"{path}/{first['id']}",
            {"version": 1, "due_date": day(20), "reason_category": "budget_or_procurement"},
        ),
    )
    pilot = step(2, lambda: owner_api.post(path, {"title": "Pilot", "due_date": day(40)}))
    step(3, lambda: owner_api.patch(f"{path}/{first['id']}", {"version": 2, "status": "done"}))
    version = owner_api.get(f"/plans/{pid}").json_body["version"]
    step(
        4,
        lambda: owner_api.post(
            f"/plans/{pid}/retarget", {"target_date": day(104), "version": version}
        ),
    )
    renamed = rows[1]
    now_rows = owner_api.get(f"/plans/{pid}").json_body["milestones"]
    renamed_version = next(r["version"] for r in now_rows if r["id"] == renamed["id"])
    step(
        5,
        lambda: owner_api.patch(
            f"{path}/{renamed['id']}", {"version": renamed_version, "title": "Security sign-off"}
        ),
    )
    step(6, lambda: owner_api.delete(f"{path}/{pilot['id']}"))
    step(7, lambda: owner_api.delete(f"{path}/{doomed['id']}"))
    yield pid, shown


def test_the_plan_replayed_at_each_step_is_what_the_api_showed_then(
    history: tuple[int, list[tuple[dt.datetime, dict[str, Any]]]],
) -> None:
    pid, shown = history
    plan = Plan.objects.get(id=pid)
    for at, then in shown:
        assert replayed(state_of(plan, at + dt.timedelta(hours=1))) == then, at


def test_just_before_each_step_the_plan_is_as_the_step_before_left_it(
    history: tuple[int, list[tuple[dt.datetime, dict[str, Any]]]],
) -> None:
    pid, shown = history
    plan = Plan.objects.get(id=pid)
    for (_, before), (at, _) in zip(shown, shown[1:], strict=False):
        assert replayed(state_of(plan, at - dt.timedelta(seconds=1))) == before, at


def test_a_row_done_later_is_open_and_a_removed_row_is_there_before_its_removal(
    history: tuple[int, list[tuple[dt.datetime, dict[str, Any]]]],
) -> None:
    pid, shown = history
    state = state_of(Plan.objects.get(id=pid), BASE + 2 * STEP + dt.timedelta(hours=1))
    assert state is not None
    titles = [r.title for r in state.rows]
    assert "Pilot" in titles
    first = state.rows[0]
    assert (first.status, first.completed_at) == ("not_started", None)
    now = state_of(Plan.objects.get(id=pid), timezone.now())
    assert now is not None
    assert "Pilot" not in [r.title for r in now.rows]
    assert now.rows[1].title == "Security sign-off"
    assert state.rows[1].title == rows_then_title(shown, state.rows[1].row_id)
    assert now.rows[0].completed_at == (BASE + 3 * STEP).date()


def rows_then_title(shown: list[tuple[dt.datetime, dict[str, Any]]], row_id: int) -> str:
    return str(shown[0][1]["rows"][row_id]["title"])


def test_before_the_plan_was_created_there_is_nothing_to_replay(
    history: tuple[int, list[tuple[dt.datetime, dict[str, Any]]]],
) -> None:
    pid, _ = history
    assert state_of(Plan.objects.get(id=pid), BASE - dt.timedelta(seconds=1)) is None


def test_the_records_hold_every_value_so_nothing_at_any_step_is_unknown(
    history: tuple[int, list[tuple[dt.datetime, dict[str, Any]]]],
) -> None:
    pid, shown = history
    plan = Plan.objects.get(id=pid)
    for at, _ in shown:
        # Removed rows keep every field, edits their old values (old records: see
        # test_exact_replay.py for what they leave unknown).
        state = state_of(plan, at + dt.timedelta(hours=1))
        assert state is not None and state.unknown == frozenset(), at


def test_many_plans_replay_in_a_fixed_number_of_queries(
    owner_api: Api,
    history: tuple[int, list[tuple[dt.datetime, dict[str, Any]]]],
    django_assert_max_num_queries: Any,
) -> None:
    pid, shown = history
    others = [new_plan(owner_api)["id"] for _ in range(3)]
    plans = list(Plan.objects.filter(id__in=[pid, *others]))
    with django_assert_max_num_queries(3):
        states = states_as_of(plans, BASE + 3 * STEP + dt.timedelta(hours=1))
    assert replayed(states[pid]) == shown[3][1]
    assert all(states[o] is None for o in others)  # made after that instant


def test_plan_status_edits_record_their_values_so_a_status_between_two_is_known(
    owner_api: Api,
) -> None:
    clock = Clock()
    with clock.at(BASE):
        plan = new_plan(owner_api)
    pid = plan["id"]
    Plan.objects.filter(id=pid).update(created_at=BASE)
    clock.stamp(BASE, pid)
    version = plan["version"]
    for n, status in ((1, "paused"), (2, "lost")):
        with clock.at(BASE + n * STEP):
            response = owner_api.patch(f"/plans/{pid}", {"version": version, "status": status})
        assert response.status_code == 200, response.json_body
        version = response.json_body["version"]
        clock.stamp(BASE + n * STEP, pid)
    stored = Plan.objects.get(id=pid)
    hour = dt.timedelta(hours=1)
    states = [state_of(stored, BASE + n * STEP + hour) for n in range(3)]
    assert all(state is not None for state in states)
    first, between, last = (s for s in states if s is not None)
    # Created active (it had a target): the plan's creation says so.
    assert first.status == "active" and first.unknown == frozenset()
    # `plan_updated` records the old and the new status: paused, between two edits.
    assert between.status == "paused" and between.unknown == frozenset()
    assert last.status == "lost"

"""A plan edited every way a seller edits one, then rebuilt as of each past instant: with the
old values the records now keep, every rebuild is exactly what the API answered then and
nothing is unknown; records written before they were kept still replay with the fallback."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from mutualplan.plans.models import Activity, Deal, Plan
from mutualplan.plans.replay import PlanState, state_of
from tests.api.test_replay import BASE, STEP, Clock
from tests.conftest import Api, day, new_plan

# Every row field a replay rebuilds, as the API names it.
ROW_KEYS = (
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
HOUR = dt.timedelta(hours=1)
Shown = list[tuple[dt.datetime, dict[str, Any]]]


def seen(api: Api, plan_id: int) -> dict[str, Any]:
    """The plan as the API shows it now: target, status and every replayed field of each row."""
    body = api.get(f"/plans/{plan_id}").json_body
    return {
        "target_date": body["target_date"],
        "status": body["status"],
        "rows": {
            r["id"]: {k: sorted(r[k]) if k == "depends_on" else r[k] for k in ROW_KEYS}
            for r in body["milestones"]
        },
    }


def replayed(state: PlanState | None) -> dict[str, Any]:
    assert state is not None

    def iso(value: Any) -> Any:
        if isinstance(value, tuple):
            return list(value)
        return value.isoformat() if isinstance(value, dt.date) else value

    return {
        "target_date": iso(state.target_date),
        "status": state.status,
        "rows": {r.row_id: {k: iso(getattr(r, k)) for k in ROW_KEYS} for r in state.rows},
    }


class Story:
    """A plan taken through one API call a day, with what the API showed after each."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.clock = Clock()
        with self.clock.at(BASE):
            plan = new_plan(api)
        self.pid: int = plan["id"]
        Plan.objects.filter(id=self.pid).update(created_at=BASE)
        self.clock.stamp(BASE, self.pid)
        self.shown: Shown = [(BASE, seen(api, self.pid))]
        self.rows = plan["milestones"]

    def version(self, row_id: int | None = None) -> int:
        body = self.api.get(f"/plans/{self.pid}").json_body
        if row_id is None:
            return int(body["version"])
        return int(next(r["version"] for r in body["milestones"] if r["id"] == row_id))

    def step(self, call: Callable[[], Any]) -> Any:
        at = BASE + len(self.shown) * STEP
        with self.clock.at(at):
            response = call()
        assert response.status_code in (200, 201, 204), response.json_body
        self.clock.stamp(at, self.pid)
        self.shown.append((at, seen(self.api, self.pid)))
        return response.json_body

    def edit_row(self, row_id: int, **fields: Any) -> Any:
        path = f"/plans/{self.pid}/milestones/{row_id}"
        return self.step(lambda: self.api.patch(path, {"version": self.version(row_id), **fields}))

    def edit_plan(self, **fields: Any) -> Any:
        path = f"/plans/{self.pid}"
        return self.step(lambda: self.api.patch(path, {"version": self.version(), **fields}))


@pytest.fixture
def story(owner_api: Api) -> Iterator[Story]:
    s = Story(owner_api)
    first, second, questionnaire, legal = (r["id"] for r in s.rows[:4])
    path = f"/plans/{s.pid}/milestones"
    s.edit_row(first, title="Business case signed off")
    s.edit_row(second, owner_side="joint", owner_team="Security office")
    s.edit_row(first, status="done")
    s.edit_row(first, status="in_progress")
    s.edit_row(questionnaire, due_date=day(30), reason_category="budget_or_procurement")
    s.edit_row(legal, turnaround_days=30, high_risk=False, step_type="custom")
    pilot = s.step(
        lambda: s.api.post(
            path,
            {"title": "Pilot", "due_date": day(40), "status": "in_progress", "depends_on": [first]},
        )
    )
    s.edit_row(pilot["id"], due_date=day(45), owner_team="Pilot crew")
    s.step(lambda: s.api.delete(f"{path}/{legal}"))
    s.edit_plan(status="paused")
    s.edit_plan(status="active", deal={"amount": 150000})
    s.step(
        lambda: s.api.post(
            f"/plans/{s.pid}/retarget",
            {"target_date": day(110), "version": s.version(), "reason_category": "other"},
        )
    )
    s.edit_row(questionnaire, status="done")
    s.step(lambda: s.api.delete(f"{path}/{pilot['id']}"))
    s.edit_row(questionnaire, depends_on=[first, second])
    s.edit_plan(status="won")
    yield s


def strip_to_old_records(plan_id: int) -> None:
    """Make the plan's activity what it was before old values were kept: no `old_values`, no
    row ids in data, no plan edit values, a removed row's title alone, a new row's status
    and a new plan's status left out, and no prerequisite ids."""
    dropped = ("old_values", "status", "depends_on", "old_depends_on")
    for activity in Activity.objects.filter(plan_id=plan_id):
        data = {k: v for k, v in activity.data.items() if k not in dropped}
        if activity.verb == "milestone_removed":
            data = {"milestone_id": data["milestone_id"], "title": data["title"]}
        else:
            data.pop("milestone_id", None)
            data.pop("completed_at", None)
        if activity.verb in ("plan_updated", "plan_retargeted"):
            data.pop("values", None)
        activity.data = data
        activity.save(update_fields=["data"])


def test_the_plan_edited_every_way_replays_exactly_at_each_step_with_nothing_unknown(
    story: Story,
) -> None:
    plan = Plan.objects.get(id=story.pid)
    assert len(story.shown) == 17
    for at, then in story.shown:
        state = state_of(plan, at + HOUR)
        assert replayed(state) == then, at
        assert state is not None and state.unknown == frozenset(), at


def test_just_before_each_step_the_plan_is_exactly_as_the_step_before_left_it(
    story: Story,
) -> None:
    plan = Plan.objects.get(id=story.pid)
    for (_, before), (at, _) in zip(story.shown, story.shown[1:], strict=False):
        state = state_of(plan, at - dt.timedelta(seconds=1))
        assert replayed(state) == before, at
        assert state is not None and state.unknown == frozenset(), at


def test_a_status_between_two_plan_status_edits_and_a_removed_rows_fields_are_known(
    story: Story,
) -> None:
    plan = Plan.objects.get(id=story.pid)
    legal = story.rows[3]["id"]
    paused = state_of(plan, BASE + 10 * STEP + HOUR)
    assert paused is not None and paused.status == "paused"
    before_removal = state_of(plan, BASE + 8 * STEP + HOUR)
    assert before_removal is not None
    row = before_removal.row(legal)
    assert row is not None
    assert (row.step_type, row.turnaround_days, row.high_risk) == ("custom", 30, False)
    assert (row.owner_side, row.owner_team) == ("buyer", "Legal")


def test_old_records_without_old_values_still_replay_with_the_fallback(story: Story) -> None:
    strip_to_old_records(story.pid)
    plan = Plan.objects.get(id=story.pid)
    told = 0
    # Old records assume a row was added not started: the pilot was added in progress.
    (pilot,) = story.shown[7][1]["rows"].keys() - story.shown[6][1]["rows"].keys()
    for at, then in story.shown:
        state = state_of(plan, at + HOUR)
        assert state is not None
        got = replayed(state)
        assert got["target_date"] == then["target_date"], at
        assert got["rows"].keys() == then["rows"].keys(), at
        # Every value is the true one, or left out and named unknown: never a guess.
        for row_id, row in then["rows"].items():
            for key, value in row.items():
                if f"row {row_id} {key}" in state.unknown:
                    assert got["rows"][row_id][key] is None, (at, row_id, key)
                elif (row_id, key) == (pilot, "status"):
                    assert got["rows"][row_id][key] == "not_started"
                elif key == "depends_on":
                    # Old records miss the link a removed row took with it: today's links.
                    assert set(got["rows"][row_id][key]) <= set(value), (at, row_id)
                else:
                    assert got["rows"][row_id][key] == value, (at, row_id, key)
                    told += 1
        assert got["status"] == then["status"] or "status" in state.unknown, at
    assert told > 0.8 * sum(len(then["rows"]) * len(ROW_KEYS) for _, then in story.shown)
    # The old records hold no plan status values: between two status edits it is unknown,
    # and a removed template row's fields other than its title are named, not guessed.
    paused = state_of(plan, BASE + 10 * STEP + HOUR)
    assert paused is not None and paused.status is None and "status" in paused.unknown
    legal = story.rows[3]["id"]
    before_removal = state_of(plan, BASE + 8 * STEP + HOUR)
    assert before_removal is not None
    assert f"row {legal} owner_side" in before_removal.unknown


def test_each_edit_records_the_old_value_next_to_the_new_one(story: Story) -> None:
    activities = Activity.objects.filter(plan_id=story.pid).order_by("id")
    first = story.rows[0]["id"]
    renamed = next(
        a.data for a in activities if a.verb == "milestone_updated" and "title" in a.data["fields"]
    )
    assert renamed["values"] == {"title": "Business case signed off"}
    assert renamed["old_values"] == {"title": "Align on business case and ROI model"}
    assert renamed["milestone_id"] == first
    reopened = [
        a.data
        for a in activities
        if a.verb == "milestone_updated" and a.data["milestone_id"] == first
    ][-1]
    done_on = (BASE + 3 * STEP).date().isoformat()
    assert reopened["values"] == {"status": "in_progress", "completed_at": "none"}
    assert reopened["old_values"] == {"status": "done", "completed_at": done_on}
    added = next(a.data for a in activities if a.verb == "milestone_added")
    assert added["status"] == "in_progress" and "completed_at" not in added
    assert added["depends_on"] == [first]
    removed = next(a.data for a in activities if a.verb == "milestone_removed")
    assert removed == {
        "milestone_id": story.rows[3]["id"],
        "title": "Legal redline MSA",
        "step_type": "custom",
        "owner_side": "buyer",
        "owner_team": "Legal",
        "due_date": story.rows[3]["due_date"],
        "status": "not_started",
        "completed_at": None,
        "turnaround_days": 30,
        "high_risk": False,
        "depends_on": [story.rows[0]["id"]],
        "slip_ids": [],
        # The signature needed it: it loses the link, which the replay puts back before.
        "dependents": {str(story.rows[5]["id"]): [story.rows[3]["id"], story.rows[4]["id"]]},
    }
    relinked = [a.data for a in activities if "depends_on" in a.data.get("fields", ())]
    assert [(d["old_depends_on"], d["depends_on"]) for d in relinked] == [
        ([story.rows[0]["id"]], [story.rows[0]["id"], story.rows[1]["id"]])
    ]
    edits = [a.data for a in activities if a.verb == "plan_updated"]
    assert edits[0]["values"] == {"status": "paused"}
    assert edits[0]["old_values"] == {"status": "active"}
    assert edits[1]["values"] == {"deal.amount": "150000", "status": "active"}
    assert edits[1]["old_values"] == {"deal.amount": "120000.00", "status": "paused"}


def test_a_plan_marked_won_gets_its_deals_close_date_set_to_the_workspaces_today(
    story: Story,
) -> None:
    deal = Deal.objects.get(plan__id=story.pid)
    won_at = story.shown[-1][0]
    assert deal.close_date == won_at.date()
    won = Activity.objects.filter(plan_id=story.pid, verb="plan_updated").latest("id").data
    assert won["fields"] == ["deal.close_date", "status"]
    assert won["values"] == {"deal.close_date": won_at.date().isoformat(), "status": "won"}
    assert won["old_values"]["status"] == "active"


def test_reopening_a_won_plan_keeps_its_close_date(owner_api: Api) -> None:
    plan = new_plan(owner_api)
    path = f"/plans/{plan['id']}"
    won = owner_api.patch(path, {"version": plan["version"], "status": "won"})
    assert won.status_code == 200, won.json_body
    closed_on = Deal.objects.get(plan__id=plan["id"]).close_date
    assert closed_on is not None
    reopened = owner_api.patch(path, {"version": won.json_body["version"], "status": "active"})
    assert reopened.status_code == 200, reopened.json_body
    assert Deal.objects.get(plan__id=plan["id"]).close_date == closed_on


def test_a_close_date_given_with_the_won_or_lost_status_is_the_one_kept(owner_api: Api) -> None:
    plan = new_plan(owner_api)
    response = owner_api.patch(
        f"/plans/{plan['id']}",
        {"version": plan["version"], "status": "lost", "deal": {"close_date": day(-12)}},
    )
    assert response.status_code == 200, response.json_body
    assert Deal.objects.get(plan__id=plan["id"]).close_date.isoformat() == day(-12)  # type: ignore[union-attr]


def test_a_status_edit_that_does_not_close_the_plan_leaves_the_close_date(
    owner_api: Api,
) -> None:
    plan = new_plan(owner_api)
    response = owner_api.patch(
        f"/plans/{plan['id']}", {"version": plan["version"], "status": "paused"}
    )
    assert response.status_code == 200, response.json_body
    assert Deal.objects.get(plan__id=plan["id"]).close_date is None


def test_an_owner_change_records_the_old_and_new_owners_names_never_their_ids(
    owner_api: Api,
) -> None:
    plan = new_plan(owner_api)
    pid, row = plan["id"], plan["milestones"][1]
    people = []
    for name in ("Dana Whitfield", "Sam Okafor"):
        made = owner_api.post(f"/plans/{pid}/stakeholders", {"name": name})
        assert made.status_code == 201, made.json_body
        people.append(made.json_body["id"])
    path = f"/plans/{pid}/milestones/{row['id']}"
    version = row["version"]
    for person in people:
        edited = owner_api.patch(path, {"version": version, "owner_person_id": person})
        assert edited.status_code == 200, edited.json_body
        version = edited.json_body["version"]
    data = Activity.objects.filter(plan_id=pid, verb="milestone_updated").latest("id").data
    assert data["values"] == {"owner_person_id": "Sam Okafor"}
    assert data["old_values"] == {"owner_person_id": "Dana Whitfield"}


def test_two_removed_rows_of_one_title_each_get_their_own_moves_with_the_target(
    owner_api: Api,
) -> None:
    s = Story(owner_api)
    path = f"/plans/{s.pid}/milestones"
    pilots = [
        s.step(lambda due=due: s.api.post(path, {"title": "Pilot", "due_date": day(due)}))["id"]
        for due in (40, 50)
    ]
    s.step(
        lambda: s.api.post(
            f"/plans/{s.pid}/retarget",
            {"target_date": day(100), "version": s.version(), "reason_category": "other"},
        )
    )
    for pilot in pilots:
        s.step(lambda pilot=pilot: s.api.delete(f"{path}/{pilot}"))
    plan = Plan.objects.get(id=s.pid)
    for at, then in s.shown:
        state = state_of(plan, at + HOUR)
        assert replayed(state) == then, at
        assert state is not None and state.unknown == frozenset(), at
    moved = s.shown[3][1]["rows"]
    assert [moved[p]["due_date"] for p in pilots] == [day(50), day(60)]

"""The diff between two versions of a plan in the core: rows matched by id; added, removed,
re-dated, re-owned, status and title changes and the target date moved, told in words."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mutualplan.core.versions import Kind, diff


def row(id: int, title: str, **more: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": id,
        "title": title,
        "owner_side": "buyer",
        "owner_team": "",
        "owner_person": "",
        "due_date": "2027-01-14",
        "status": "not_started",
    }
    return {**base, **more}


def snapshot(*rows: dict[str, Any], target: str = "2027-03-01") -> dict[str, Any]:
    return {"target_date": target, "target_reason": "", "milestones": list(rows)}


def test_the_same_snapshot_twice_has_no_changes() -> None:
    plan = snapshot(row(1, "Security review"), row(2, "Sign the order form"))
    assert diff(plan, plan) == []


def test_a_row_moved_later_says_how_many_days_and_from_and_to_which_date() -> None:
    a = snapshot(row(1, "Security review"))
    b = snapshot(row(1, "Security review", due_date="2027-01-21"))
    [change] = diff(a, b)
    assert (change.kind, change.milestone_id, change.days) == (Kind.REDATED, 1, 7)
    assert (change.from_date, change.to_date) == (dt.date(2027, 1, 14), dt.date(2027, 1, 21))
    assert change.text == "Security review moved 7 days later, Jan 14 → Jan 21"


def test_a_row_moved_earlier_has_negative_days_and_a_year_change_names_the_years() -> None:
    a = snapshot(row(1, "Kick-off", due_date="2027-01-02"))
    b = snapshot(row(1, "Kick-off", due_date="2026-12-31"))
    [change] = diff(a, b)
    assert change.days == -2
    assert change.text == "Kick-off moved 2 days earlier, Jan 2, 2027 → Dec 31, 2026"


def test_the_target_date_moved_comes_first() -> None:
    a = snapshot(row(1, "Go-live"), target="2027-03-01")
    b = snapshot(row(1, "Go-live", status="in_progress"), target="2027-03-31")
    changes = diff(a, b)
    assert [c.kind for c in changes] == [Kind.TARGET_MOVED, Kind.STATUS]
    assert changes[0].days == 30
    assert changes[0].text == "Target date moved 30 days later, Mar 1 → Mar 31"
    assert changes[1].text == "Go-live: Not started → In progress"


def test_rows_added_and_removed_are_matched_by_id_not_by_title() -> None:
    a = snapshot(row(1, "Pilot"), row(2, "Legal review"))
    b = snapshot(row(2, "Legal review"), row(3, "Pilot", owner_team="IT", due_date="2027-02-03"))
    changes = diff(a, b)
    assert [(c.kind, c.milestone_id) for c in changes] == [(Kind.ADDED, 3), (Kind.REMOVED, 1)]
    assert changes[0].text == "Pilot added (Buyer · IT, due Feb 3)"
    assert changes[1].text == "Pilot removed"


def test_a_row_the_buyer_added_says_who_added_it() -> None:
    added = row(2, "Internal IT review", added_by_side="buyer", added_by_name="Priya Shah")
    [change] = diff(snapshot(), snapshot(added))
    assert change.text == (
        "Internal IT review added by Priya Shah on the buyer side (Buyer, due Jan 14)"
    )


def test_a_row_re_owned_by_side_team_or_person_names_the_old_and_new_owner() -> None:
    a = snapshot(row(1, "Security review", owner_side="seller"), row(2, "DPA", owner_team="Legal"))
    b = snapshot(
        row(1, "Security review", owner_side="buyer", owner_team="IT Security"),
        row(2, "DPA", owner_team="Legal", owner_person="Priya Shah"),
    )
    changes = diff(a, b)
    assert [(c.kind, c.before, c.after) for c in changes] == [
        (Kind.REOWNED, "Seller", "Buyer · IT Security"),
        (Kind.REOWNED, "Buyer · Legal", "Buyer · Legal · Priya Shah"),
    ]
    assert changes[0].text == "Security review now owned by Buyer · IT Security (was Seller)"


def test_a_renamed_row_is_one_title_change_under_its_new_title() -> None:
    a = snapshot(row(1, "Security review"))
    b = snapshot(row(1, "Security and privacy review"))
    [change] = diff(a, b)
    assert (change.kind, change.title) == (Kind.RETITLED, "Security and privacy review")
    assert change.text == "“Security review” renamed “Security and privacy review”"


def test_a_date_set_or_cleared_has_no_days() -> None:
    a = snapshot(row(1, "Pilot", due_date=None), row(2, "Legal"))
    b = snapshot(row(1, "Pilot"), row(2, "Legal", due_date=None))
    changes = diff(a, b)
    assert [(c.kind, c.days) for c in changes] == [(Kind.REDATED, None), (Kind.REDATED, None)]
    assert changes[0].text == "Pilot given a date, Jan 14"
    assert changes[1].text == "Legal no longer has a date (was Jan 14)"


def test_an_older_snapshot_without_a_field_is_compared_on_what_it_has() -> None:
    old = row(1, "Security review")
    del old["owner_person"], old["status"]
    a = {"milestones": [old]}
    b = snapshot(row(1, "Security review", owner_person="Priya Shah", status="done"))
    assert diff(a, b) == []
    b = snapshot(row(1, "Security review", owner_team="IT", status="done"))
    assert [c.kind for c in diff(a, b)] == [Kind.REOWNED]

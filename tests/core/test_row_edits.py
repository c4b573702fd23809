"""The rules of a row edit, without a database: what the buyer side may change, what may be
cleared, what an edit changes, and when it unconfirms a row or counts as a status update."""

from __future__ import annotations

import datetime as dt

import pytest

from mutualplan.core.row_edits import (
    buyer_refusal,
    column_changes,
    completed_on,
    is_status_update,
    refused_null,
    shown_fields,
    unconfirms,
)

TODAY = dt.date(2026, 3, 2)


def test_the_buyer_side_may_not_edit_a_seller_step_at_all() -> None:
    assert buyer_refusal("seller", {"notes"}) == (
        "this is a seller step; the buyer side updates buyer and joint rows"
    )


@pytest.mark.parametrize("side", ["buyer", "joint"])
def test_the_buyer_side_updates_its_own_and_joint_rows(side: str) -> None:
    fields = {"title", "owner_team", "due_date", "status", "notes", "completed_at"}
    assert buyer_refusal(side, fields) is None


def test_the_buyer_side_is_told_every_seller_field_it_tried_to_change() -> None:
    refusal = buyer_refusal("buyer", {"notes", "private_notes", "step_type"})
    assert refusal == "the buyer side cannot change private_notes, step_type"


def test_only_owner_person_dates_and_turnaround_may_be_cleared_with_null() -> None:
    assert refused_null({"due_date": None, "owner_person_id": None, "completed_at": None}) is None
    assert refused_null({"turnaround_days": None}) is None
    assert refused_null({"notes": "kept", "status": None}) == "status"
    assert refused_null({"title": None}) == "title"


def test_an_edit_changes_only_the_columns_whose_value_differs() -> None:
    stored = {"status": "done", "notes": "old", "title": "Legal redline"}
    sent = {"status": "done", "notes": "new", "title": "Legal redline", "depends_on": [3]}
    # The prerequisites are not a column: the service compares and writes them itself.
    assert column_changes(stored, sent) == {"notes": "new"}


def test_a_new_title_is_trimmed() -> None:
    assert column_changes({"title": "Kickoff"}, {"title": "  Kick-off  "}) == {"title": "Kick-off"}


def test_marking_a_row_done_completes_it_today_and_reopening_clears_the_date() -> None:
    assert completed_on("done", TODAY) == TODAY
    for status in ("not_started", "in_progress", "blocked"):
        assert completed_on(status, TODAY) is None


@pytest.mark.parametrize("field", ["due_date", "owner_side", "owner_team", "owner_person_id"])
def test_moving_a_date_or_changing_an_owner_takes_back_the_confirmation(field: str) -> None:
    assert unconfirms({field, "notes"})


def test_notes_status_and_title_keep_the_confirmation() -> None:
    assert not unconfirms({"notes", "status", "title", "completed_at", "private_notes"})


@pytest.mark.parametrize("field", ["status", "notes", "due_date", "completed_at"])
def test_status_notes_dates_and_completion_are_a_status_update(field: str) -> None:
    assert is_status_update({field})


def test_a_title_or_owner_change_is_not_a_status_update() -> None:
    assert not is_status_update({"title", "owner_team", "private_notes", "step_type"})


def test_the_activity_line_names_what_the_user_changed_not_the_bookkeeping() -> None:
    changed = {"status", "status_updated_at", "status_updated_by", "confirmed_at"}
    assert shown_fields(changed | {"anchor_offset", "due_date"}, False) == ["due_date", "status"]
    assert shown_fields({"notes"}, True) == ["depends_on", "notes"]

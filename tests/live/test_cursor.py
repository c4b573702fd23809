"""The stream's position as written into each event's id: the highest id seen and the holes."""

from __future__ import annotations

import pytest

from mutualplan.live.cursor import MAX_HOLES, MAX_SPAN, Cursor


def test_a_cursor_with_no_holes_is_just_the_highest_id() -> None:
    assert Cursor(100, frozenset({101, 102, 103})).encode() == "103"
    assert Cursor(100).encode() == "100"
    assert Cursor.parse("103") == Cursor(103)


def test_a_cursor_names_each_hole_below_its_highest_id() -> None:
    cursor = Cursor(100, frozenset({104, 105, 107, 90}))

    assert cursor.encode() == "107;101-103,106"
    assert Cursor.parse("107;101-103,106") == Cursor(100, frozenset({104, 105, 107}))


def test_a_cursor_survives_the_round_trip_through_its_id() -> None:
    cursor = Cursor(5000, frozenset({5003, 5010, 5011, 5020}))

    parsed = Cursor.parse(cursor.encode())

    assert parsed is not None and parsed.encode() == cursor.encode()
    assert parsed.floor == 5000 and parsed.known == {5003, 5010, 5011, 5020}
    assert not parsed.known & {5004, 5009, 5012, 5019}


def test_a_cursor_with_too_many_holes_falls_back_to_its_floor_and_never_skips() -> None:
    cursor = Cursor(0, frozenset(range(2, 2 * MAX_HOLES + 10, 2)))

    assert cursor.encode() == "0"


@pytest.mark.parametrize(
    "raw",
    ["", "abc", "-5", "12;", "12;x", "12;5-3", "12;13", "12;0", "١٢", "12;3,,4", "9" * 40],
)
def test_anything_that_is_not_a_cursor_reads_as_a_fresh_page(raw: str) -> None:
    assert Cursor.parse(raw) is None


def test_a_cursor_too_wide_to_expand_resumes_from_its_floor() -> None:
    parsed = Cursor.parse(f"{MAX_SPAN * 10};1")

    assert parsed == Cursor(0)


def test_a_cursor_with_more_holes_than_allowed_reads_as_a_fresh_page() -> None:
    raw = "100000;" + ",".join(str(i) for i in range(1, 2 * MAX_HOLES + 4, 2))

    assert Cursor.parse(raw) is None

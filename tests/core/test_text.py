"""Which text can be stored, and what a name and an email may hold."""

from __future__ import annotations

import pytest

from mutualplan.core.text import (
    NOT_UTF8,
    NUL,
    SURROGATE,
    decode_utf8,
    has_control_characters,
    person_errors,
    printable,
    unstorable,
)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("Legal redline", None),
        ("Überprüfung · 法务 · 🚀", None),
        ("tab\tand\nnewline", None),
        ("a\x00b", NUL),
        ("a\ud800b", SURROGATE),
        ("a\udfffb", SURROGATE),
    ],
)
def test_unstorable_names_what_the_database_cannot_hold(text: str, why: str | None) -> None:
    assert unstorable(text) == why


def test_decoding_refuses_invalid_utf8_and_what_cannot_be_stored() -> None:
    assert decode_utf8("Überprüfung".encode()) == ("Überprüfung", None)
    assert decode_utf8(b"caf\xe9") == ("caf\ufffd", NOT_UTF8)
    # A surrogate encoded as UTF-8 bytes (CESU-8) is not UTF-8 either.
    assert decode_utf8(b"\xed\xa0\x80")[1] == NOT_UTF8
    assert decode_utf8(b"a\x00") == ("a\x00", NUL)


def test_printable_escapes_control_characters_and_surrogates_only() -> None:
    assert printable("la\x00bel\ud800 ü") == "la\\x00bel\\ud800 ü"


def test_control_characters_are_found_in_one_line_values() -> None:
    assert has_control_characters("Priya\x1b[31m")
    assert has_control_characters("Priya\nChampion")
    assert has_control_characters("Priya\x85")
    assert not has_control_characters("Priya Champion-Łukasiewicz")


@pytest.mark.parametrize(
    ("name", "email", "fields"),
    [
        ("Priya Champion", "priya@buyer.example", set()),
        ("", "priya@buyer.example", {"name"}),
        ("  ", "priya@buyer.example", {"name"}),
        ("P" * 201, "priya@buyer.example", {"name"}),
        ("Pri\x00ya", "priya@buyer.example", {"name"}),
        ("Priya", "priya@buyer", {"email"}),
        ("Priya", "pri ya@buyer.example", {"email"}),
        ("Priya", "priya\x01@buyer.example", {"email"}),
        ("Priya", "p" * 250 + "@buyer.example", {"email"}),
        ("", "", {"name", "email"}),
    ],
)
def test_person_errors_name_each_bad_field(name: str, email: str, fields: set[str]) -> None:
    assert set(person_errors(name, email)) == fields

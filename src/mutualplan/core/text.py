"""Which text can be stored, and what a one-line value such as a name may hold.

Pure rules shared by the input-cleaning layer (`mutualplan.http.inputs`) and the buyer
identity kept in a cookie (`mutualplan.web.context`).
"""

from __future__ import annotations

import re

NUL = "must not contain NUL characters"
SURROGATE = "must not contain unpaired UTF-16 surrogates (\\ud800-\\udfff)"
NOT_UTF8 = "is not valid UTF-8"

# PostgreSQL text cannot hold U+0000, and a lone surrogate cannot be encoded to UTF-8 at all
# (SQLite's driver fails on it too).
_SURROGATE = re.compile("[\ud800-\udfff]")
# C0 and C1 controls and DEL: nothing a person types into a one-line field.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

NAME_MAX = 200
EMAIL_MAX = 254


def unstorable(text: str) -> str | None:
    """Why the database cannot store `text` (a NUL, a lone surrogate), or None when it can."""
    if "\x00" in text:
        return NUL
    if _SURROGATE.search(text):
        return SURROGATE
    return None


def decode_utf8(raw: bytes) -> tuple[str, str | None]:
    """`raw` as text, and why it cannot be stored (invalid UTF-8 included), or None."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="replace"), NOT_UTF8
    return text, unstorable(text)


def printable(text: str) -> str:
    """`text` with control characters and surrogates escaped, safe to quote in a message."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def has_control_characters(text: str) -> bool:
    """True when `text` holds a control character (NUL, newline, escape…) or a surrogate."""
    return bool(_CONTROL.search(text))


def is_email(text: str) -> bool:
    """A loose check that `text` looks like one email address (something@host.tld)."""
    return len(text) <= EMAIL_MAX and bool(_EMAIL.match(text))


def person_errors(name: str, email: str) -> dict[str, str]:
    """What is wrong with a name and email someone gave for themselves (empty when fine)."""
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Please give your name."
    elif len(name) > NAME_MAX:
        errors["name"] = f"Please keep your name under {NAME_MAX} characters."
    elif has_control_characters(name):
        errors["name"] = "Please give your name without control characters."
    if not is_email(email) or has_control_characters(email):
        errors["email"] = "Please give a valid email address."
    return errors

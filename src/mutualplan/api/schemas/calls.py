"""Shapes of call mode: the agenda of the next call and a logged call (seller-only)."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from mutualplan.api.schemas.errors import Out


class AgendaItemOut(Out):
    milestone_id: int
    title: str
    detail: str = Field(description="Why the row is on the agenda, in one line.")


class AgendaSectionOut(Out):
    key: str = Field(
        description="done, overdue, due_soon, stale, must_move, unconfirmed or findings"
    )
    heading: str
    items: list[AgendaItemOut]


class AgendaOut(Out):
    last_call_on: dt.date | None
    sections: list[AgendaSectionOut] = Field(
        description="Every section, always in the same order; an empty one has no items."
    )


class CallOut(Out):
    id: int
    held_at: dt.datetime
    attendees: str
    notes: str
    next_call_on: dt.date | None

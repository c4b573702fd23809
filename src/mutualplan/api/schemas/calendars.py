"""Shapes of calendar feeds: the token and address appear once, in the answer to create."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from mutualplan.api.schemas.errors import Out


class CalendarFeedOut(Out):
    id: int
    kind: Literal["plan", "seller"]
    plan_id: int | None
    prefix: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None


class CalendarFeedCreated(CalendarFeedOut):
    token: str
    url: str

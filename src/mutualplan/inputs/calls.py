"""What the seller sends to log a check-in call."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from mutualplan.inputs.fields import In, LongText, Notes


class CallCreate(In):
    held_on: dt.date | None = Field(
        None, description="The day of the call in the workspace's time zone; today if left out."
    )
    attendees: LongText = Field("", description="Who was on the call, as free text.")
    notes: Notes = ""
    next_call_on: dt.date | None = Field(None, description="The day of the next call, if set.")

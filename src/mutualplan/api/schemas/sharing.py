"""Shapes of share links and of the buyer's confirmation through one."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from mutualplan.api.schemas.errors import Out
from mutualplan.inputs.fields import Id, In, Label
from mutualplan.inputs.milestones import BuyerIn


class ShareLinkIn(In):
    expires_at: dt.datetime | None = None
    label: Label = ""


class ShareLinkOut(Out):
    id: int
    plan_id: int
    label: str
    prefix: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None


class ShareLinkCreated(ShareLinkOut):
    token: str
    url: str


class ConfirmIn(In):
    actor: BuyerIn
    milestone_ids: list[Id] | None = Field(
        None, description="Rows to confirm; leave out to confirm the whole plan."
    )


class ConfirmationOut(Out):
    id: int
    buyer_name: str
    created_at: dt.datetime
    milestone_ids: list[int]

"""What the seller sends to add or edit a person on the buyer's side (a stakeholder)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from mutualplan.core.vocab import StakeholderRole
from mutualplan.inputs.fields import Id, In, Label, Name, Short, keep

# Blank, or an email (the service checks it: a bad one is a field error, never stored).
OptEmail = Annotated[str, StringConstraints(max_length=254, strip_whitespace=True)]
OWNS = Field(
    None,
    max_length=10000,
    description="The ids of the plan's rows this person owns. Given, it replaces the list: "
    "rows left out that this person owned lose their owner person.",
)


class StakeholderCreate(In):
    name: Name
    email: OptEmail = ""
    title: Label = ""
    team: Short = ""
    role: StakeholderRole = StakeholderRole.OTHER
    owns: list[Id] | None = OWNS


class StakeholderPatch(In):
    name: Name | None = keep()
    email: OptEmail | None = keep()
    title: Label | None = keep()
    team: Short | None = keep()
    role: StakeholderRole | None = keep()
    owns: list[Id] | None = OWNS

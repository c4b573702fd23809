"""What a seller sends to create or edit a plan, from the API or the plan pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from mutualplan.core.vocab import PlanStatus, SlipReason
from mutualplan.inputs.fields import (
    Amount,
    Code,
    Country,
    Currency,
    In,
    Key,
    LongText,
    Name,
    Short,
    Version,
)


class DealIn(In):
    account_name: Name
    account_type: Code
    stage: Code
    amount: Amount = Decimal(0)
    currency: Currency = "USD"
    industry: Short = ""
    crm_ref: Short = ""


class DealPatch(In):
    account_name: Name | None = None
    account_type: Code | None = None
    stage: Code | None = None
    amount: Amount | None = None
    currency: Currency | None = None
    industry: Short | None = None
    crm_ref: Short | None = None
    close_date: dt.date | None = Field(
        None,
        description="The deal's close date; marking the plan won or lost sets it to the "
        "workspace's today unless given.",
    )


class PlanCreate(In):
    deal: DealIn
    target_date: dt.date | None = None
    target_reason: LongText = ""
    template: Key = "standard"
    country: Country = ""
    business_days: bool = False
    schedule: Literal["offsets", "turnarounds"] = Field(
        "offsets",
        description="'offsets': the template's fixed offsets before the target; 'turnarounds': "
        "latest-finish dates worked back through turnarounds and dependencies.",
    )


class PlanPatch(In):
    version: Version
    target_reason: LongText | None = None
    contact_email: Annotated[str, StringConstraints(max_length=254)] | None = Field(
        None,
        description="The email the buyer sees for the seller's contact; empty shows none "
        "(the buyer then sees only the deal owner's name).",
    )
    status: PlanStatus | None = None
    country: Country | None = None
    business_days: bool | None = None
    deal: DealPatch | None = None
    reason_category: SlipReason | None = None
    reason_text: LongText = ""


class RetargetIn(In):
    target_date: dt.date
    version: Version
    reason_category: SlipReason | None = None
    reason_text: LongText = ""

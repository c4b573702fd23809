"""Response shapes of escalations and slip diagnostics (seller only)."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from mutualplan.api.schemas.errors import Out
from mutualplan.api.schemas.plans import EmailDeliveryOut
from mutualplan.inputs.fields import In


class EscalationDeliveryOut(EmailDeliveryOut):
    milestone_id: int | None
    kind: str = Field(description="Always escalation here.")


class EscalationOut(Out):
    milestone_id: int
    title: str
    owner: str = Field(description="The step's owner: team and person on the buyer side.")
    due_date: dt.date | None
    days_silent: int = Field(description="Days since the step's last status update.")
    escalate_to: str = Field(description="The champion, then the executive sponsor.")
    escalate_to_email: str
    escalate_to_role: str
    subject: str
    body: str
    mailto: str = Field(description="A mailto: URL with the drafted subject and body.")
    last_email: EscalationDeliveryOut | None = Field(
        None, description="The last escalation of this step emailed from the app, if any."
    )


class PlanEscalationsOut(Out):
    escalations: list[EscalationOut]


class SlipGroupOut(Out):
    key: str
    label: str
    count: int
    days: int = Field(description="Days slipped (later moves only).")


class SlipLineOut(Out):
    id: int
    milestone_id: int | None
    title: str
    owner_side: str = Field(description="buyer, seller, joint, target, or unknown (row deleted).")
    days: int
    from_date: dt.date | None
    to_date: dt.date | None
    reason_category: str
    reason_text: str
    during_build: bool
    unexplained: bool = Field(description="Moved without a reason (health's unexplained_slip).")
    moved_on: dt.date | None


class SlipSummaryOut(Out):
    count: int
    total_days: int
    unexplained: int
    baseline_target_date: dt.date | None
    target_date: dt.date | None
    target_days_moved: int | None
    by_reason: list[SlipGroupOut]
    by_owner_side: list[SlipGroupOut]
    by_row: list[SlipGroupOut]
    slips: list[SlipLineOut]


class EscalationSendIn(In):
    """The escalation email as edited; a field left out (or null) takes the draft's value."""

    to: str | None = Field(
        None,
        max_length=254,
        description="One email address; by default the escalation's contact (the champion, "
        "then the executive sponsor).",
    )
    subject: str | None = Field(None, max_length=300, description="One line.")
    body: str | None = Field(None, max_length=5000, description="The email's text.")

"""Escalations: a buyer-owned open step with no status update for the workspace's stale days,
who to escalate it to (the champion, then the executive sponsor) and a drafted email the
seller edits and sends from their own mail client.

Pure: the shells hand in the rows, the buyer-side people and the workspace's today.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

from mutualplan.core.vocab import OPEN_STATUSES, OwnerSide, StakeholderRole

# Who to write to when no champion or executive sponsor is recorded.
NO_CONTACT = "your champion"


@dataclass(frozen=True)
class EscalationStep:
    """What an escalation needs of one milestone."""

    id: int
    title: str
    owner_side: str
    status: str
    owner_team: str = ""
    owner_person_id: int | None = None
    owner_person: str = ""
    due_date: dt.date | None = None
    status_updated_on: dt.date | None = None


@dataclass(frozen=True)
class Contact:
    """A person on the buyer's side."""

    id: int
    name: str
    email: str = ""
    role: str = StakeholderRole.OTHER


@dataclass(frozen=True)
class Escalation:
    milestone_id: int
    title: str
    owner: str
    due_date: dt.date | None
    days_silent: int
    escalate_to: str
    escalate_to_email: str
    escalate_to_role: str
    subject: str
    body: str

    @property
    def mailto(self) -> str:
        """A `mailto:` URL with subject and body, every part percent-encoded."""
        to = quote(self.escalate_to_email, safe="@")
        subject, body = quote(self.subject, safe=""), quote(self.body, safe="")
        return f"mailto:{to}?subject={subject}&body={body}"


def owner_label(step: EscalationStep) -> str:
    """'IT Security (Dana Lee)', 'Dana Lee', 'IT Security' or 'the buyer side'."""
    if step.owner_team and step.owner_person:
        return f"{step.owner_team} ({step.owner_person})"
    return step.owner_person or step.owner_team or "the buyer side"


def _owned_by(step: EscalationStep) -> str:
    """'Dana Lee in IT Security', 'Dana Lee', 'IT Security' or 'your team', for a sentence."""
    if step.owner_team and step.owner_person:
        return f"{step.owner_person} in {step.owner_team}"
    return step.owner_person or step.owner_team or "your team"


def escalation_contact(people: Sequence[Contact], owner_person_id: int | None) -> Contact | None:
    """The champion, then the executive sponsor; never the step's own owner."""
    for role in (StakeholderRole.CHAMPION, StakeholderRole.EXECUTIVE_SPONSOR):
        for person in people:
            if person.role == role and person.id != owner_person_id:
                return person
    return None


def _day(day: dt.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def draft(
    step: EscalationStep,
    to: Contact | None,
    account_name: str,
    seller_name: str,
    days_silent: int,
    target_date: dt.date | None,
) -> tuple[str, str]:
    """The email's subject and body: names the step, its owner, its due date and the reader."""
    greeting = to.name.split()[0] if to and to.name.split() else "there"
    due = f"was due on {_day(step.due_date)}" if step.due_date else "has no due date yet"
    goal = (
        f" so we can keep {_day(target_date)} for {account_name}"
        if target_date
        else f" so we can keep {account_name}'s plan on track"
    )
    subject = f"{account_name}: where does '{step.title}' stand?"
    body = (
        f"Hi {greeting},\n\n"
        f"In our plan, '{step.title}', owned by {_owned_by(step)}, {due}, and it has had no "
        f"update for {days_silent} days.\n\n"
        f"Could you help us find out where it stands, who owns it now and what it needs"
        f"{goal}? If it is blocked, a short note on what blocks it is enough and we will "
        f"adjust the plan together.\n\n"
        f"Thank you,\n{seller_name}".rstrip()
    )
    return subject, body


def escalations(
    steps: Sequence[EscalationStep],
    people: Sequence[Contact],
    stale_days: int,
    today: dt.date,
    created_on: dt.date,
    account_name: str,
    seller_name: str,
    target_date: dt.date | None = None,
) -> list[Escalation]:
    """One escalation per open buyer-owned step with no status update for `stale_days` (a
    step never updated counts from the plan's creation, as `stale_buyer_step` does)."""
    found: list[Escalation] = []
    for step in steps:
        if step.owner_side != OwnerSide.BUYER or step.status not in OPEN_STATUSES:
            continue
        silent = (today - (step.status_updated_on or created_on)).days
        if silent < stale_days:
            continue
        to = escalation_contact(people, step.owner_person_id)
        subject, body = draft(step, to, account_name, seller_name, silent, target_date)
        found.append(
            Escalation(
                milestone_id=step.id,
                title=step.title,
                owner=owner_label(step),
                due_date=step.due_date,
                days_silent=silent,
                escalate_to=to.name if to else NO_CONTACT,
                escalate_to_email=to.email if to else "",
                escalate_to_role=to.role if to else "",
                subject=subject,
                body=body,
            )
        )
    return found

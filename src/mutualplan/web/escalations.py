"""The plan page's escalation cards: each escalation with its email form (the draft, or what
the seller typed when a send was refused) and the last escalation email sent for its step."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mutualplan.core.escalations import Escalation
from mutualplan.plans.models import Plan
from mutualplan.plans.services.escalating import last_escalations
from mutualplan.workspaces.clock import date_in


def escalation_cards(
    plan: Plan, found: Sequence[Escalation], typed: Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    """One card per escalation; `typed` (milestone_id, to, subject, body, errors) keeps the
    values of a refused send in its card's form. One query for the emails sent."""
    sent = last_escalations(plan)
    cards = []
    for e in found:
        last = sent.get(e.milestone_id)
        card: dict[str, Any] = {
            "e": e,
            "to": e.escalate_to_email,
            "subject": e.subject,
            "body": e.body,
            "errors": [],
            "sent": last,
            "sent_on": date_in(plan.workspace, last.created_at) if last else None,
        }
        if typed and typed.get("milestone_id") == e.milestone_id:
            card.update({k: typed[k] for k in ("to", "subject", "body", "errors") if k in typed})
        cards.append(card)
    return cards

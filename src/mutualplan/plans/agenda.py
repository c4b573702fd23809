"""The call agenda of a plan read from the database (`core.agenda` does the sorting): the
same facts as health, the discovery findings, the workspace's stale days and today."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mutualplan.core.agenda import Agenda, build_agenda
from mutualplan.plans.health import facts_by_plan
from mutualplan.plans.models import Call, Plan
from mutualplan.plans.queries import milestone_rows
from mutualplan.plans.seller_view import plan_findings


def plan_agenda(plan: Plan, today: dt.date, raw: list[dict[str, Any]] | None = None) -> Agenda:
    facts = facts_by_plan(plan.workspace, [plan], today)[plan.id]
    findings = plan_findings(plan, raw if raw is not None else milestone_rows(plan.id))
    return build_agenda(facts, findings, plan.workspace.stale_days, today)


def agenda_dict(agenda: Agenda) -> dict[str, Any]:
    return {
        "last_call_on": agenda.last_call_on,
        "sections": [
            {
                "key": s.key,
                "heading": s.heading,
                "items": [
                    {"milestone_id": i.milestone_id, "title": i.title, "detail": i.detail}
                    for i in s.items
                ],
            }
            for s in agenda.sections
        ],
    }


def call_dict(call: Call) -> dict[str, Any]:
    return {
        "id": call.id,
        "held_at": call.held_at,
        "attendees": call.attendees,
        "notes": call.notes,
        "next_call_on": call.next_call_on,
    }

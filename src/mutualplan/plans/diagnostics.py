"""Escalations and slip diagnostics read from the database for the pure rules in
`core.escalations` and `core.slips` (seller only: the buyer side never sees either)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mutualplan.core.escalations import Contact, Escalation, EscalationStep, escalations
from mutualplan.core.slips import TARGET, SlipRecord, SlipSummary, slip_summary
from mutualplan.core.vocab import StakeholderRole
from mutualplan.plans.models import Deal, Plan, Slip, Stakeholder
from mutualplan.plans.queries import milestone_rows
from mutualplan.workspaces.clock import date_in
from mutualplan.workspaces.models import Workspace

# How many deals "Introduce a plan now" lists at most (one query, whatever the workspace).
INTRODUCE_SHOWN = 10


def deals_to_introduce(workspace: Workspace) -> tuple[list[Deal], bool]:
    """Deals without a plan at the workspace's "introduce" stages, and whether there are more
    than shown. One query."""
    found = list(
        Deal.objects.filter(
            workspace=workspace, plan__isnull=True, stage__in=list(workspace.intro_stages)
        )
        .select_related("owner")
        .order_by("account_name", "id")[: INTRODUCE_SHOWN + 1]
    )
    return found[:INTRODUCE_SHOWN], len(found) > INTRODUCE_SHOWN


def deal_to_introduce(workspace: Workspace, raw_id: str | None) -> Deal | None:
    """The workspace's deal of that id if it has no plan yet; None for anything else."""
    if not raw_id or not raw_id.isascii() or not raw_id.isdigit() or len(raw_id) > 18:
        return None
    return Deal.objects.filter(workspace=workspace, plan__isnull=True, id=int(raw_id)).first()


def deal_values(deal: Deal | None) -> dict[str, Any]:
    """The new-plan form's values for that deal."""
    if deal is None:
        return {}
    return {
        "account_name": deal.account_name,
        "account_type": deal.account_type,
        "industry": deal.industry,
        "amount": deal.amount,
        "currency": deal.currency,
        "stage": deal.stage,
        "crm_ref": deal.crm_ref,
    }


def _local(plan: Plan, moment: dt.datetime | None) -> dt.date | None:
    return date_in(plan.workspace, moment) if moment else None


def buyer_contacts(plan: Plan) -> list[Contact]:
    """The deal's buyer-side people; one flagged champion counts as the champion. One query."""
    return [
        Contact(
            id=p["id"],
            name=p["name"],
            email=p["email"],
            role=StakeholderRole.CHAMPION if p["is_champion"] else p["role"],
        )
        for p in Stakeholder.objects.filter(deal_id=plan.deal_id).values(
            "id", "name", "email", "role", "is_champion"
        )
    ]


def seller_name(plan: Plan) -> str:
    owner = plan.deal.owner or plan.created_by
    if owner is None:
        return ""
    return owner.get_full_name() or owner.email


def plan_escalations(
    plan: Plan, today: dt.date, rows: list[dict[str, Any]] | None = None
) -> list[Escalation]:
    """The plan's escalations; `rows` as `queries.milestone_rows` reads them (read if None)."""
    rows = milestone_rows(plan.id) if rows is None else rows
    steps = [
        EscalationStep(
            id=r["id"],
            title=r["title"],
            owner_side=r["owner_side"],
            status=r["status"],
            owner_team=r["owner_team"],
            owner_person_id=r["owner_person_id"],
            owner_person=r["owner_person"]["name"] if r["owner_person"] else "",
            due_date=r["due_date"],
            status_updated_on=_local(plan, r["status_updated_at"]),
        )
        for r in rows
    ]
    return escalations(
        steps,
        buyer_contacts(plan),
        stale_days=plan.workspace.stale_days,
        today=today,
        created_on=_local(plan, plan.created_at) or today,
        account_name=plan.deal.account_name,
        seller_name=seller_name(plan),
        target_date=plan.target_date,
    )


def escalation_dict(e: Escalation) -> dict[str, Any]:
    return {
        "milestone_id": e.milestone_id,
        "title": e.title,
        "owner": e.owner,
        "due_date": e.due_date,
        "days_silent": e.days_silent,
        "escalate_to": e.escalate_to,
        "escalate_to_email": e.escalate_to_email,
        "escalate_to_role": e.escalate_to_role,
        "subject": e.subject,
        "body": e.body,
        "mailto": e.mailto,
    }


def plan_slip_summary(plan: Plan) -> SlipSummary:
    """The plan's slips with reasons, by reason, owner side and row. One query."""
    records = [
        SlipRecord(
            id=s["id"],
            milestone_id=s["milestone_id"],
            title=s["milestone_title"] or "target date",
            days=s["days"],
            # A row deleted since: its side is no longer known.
            owner_side=s["milestone__owner_side"]
            or ("unknown" if s["milestone_title"] else TARGET),
            reason_category=s["reason_category"],
            reason_text=s["reason_text"],
            during_build=s["during_build"],
            from_date=s["from_date"],
            to_date=s["to_date"],
            created_on=_local(plan, s["created_at"]),
        )
        for s in Slip.objects.filter(plan_id=plan.id)
        .order_by("created_at", "id")
        .values(
            "id",
            "milestone_id",
            "milestone_title",
            "days",
            "milestone__owner_side",
            "reason_category",
            "reason_text",
            "during_build",
            "from_date",
            "to_date",
            "created_at",
        )
    ]
    return slip_summary(records, plan.baseline_target_date, plan.target_date)


def slip_summary_dict(summary: SlipSummary) -> dict[str, Any]:
    def groups(items: Any) -> list[dict[str, Any]]:
        return [{"key": g.key, "label": g.label, "count": g.count, "days": g.days} for g in items]

    return {
        "count": summary.count,
        "total_days": summary.total_days,
        "unexplained": summary.unexplained,
        "baseline_target_date": summary.baseline_target,
        "target_date": summary.current_target,
        "target_days_moved": summary.target_days_moved,
        "by_reason": groups(summary.by_reason),
        "by_owner_side": groups(summary.by_side),
        "by_row": groups(summary.by_row),
        "slips": [
            {
                "id": s.id,
                "milestone_id": s.milestone_id,
                "title": s.title,
                "owner_side": s.owner_side,
                "days": s.days,
                "from_date": s.from_date,
                "to_date": s.to_date,
                "reason_category": s.reason_category,
                "reason_text": s.reason_text,
                "during_build": s.during_build,
                "unexplained": s.unexplained,
                "moved_on": s.created_on,
            }
            for s in summary.slips
        ],
    }

"""What the seller reads: a plan, its rows, the plan list and share links as plain dicts, in
the shape of the seller's API answers; the seller's pages and the command line show the
same. The buyer's side never goes through here: it has its own read model,
`mutualplan.plans.buyer_view`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mutualplan.core.figures import Step, days_left, is_confirmed, is_overdue
from mutualplan.core.findings import DiscoveryFinding, FindingRow, discovery_findings
from mutualplan.core.health import Finding
from mutualplan.plans.models import Deal, Milestone, Plan, ShareLink, Stakeholder
from mutualplan.plans.queries import ROW_FIELDS, milestone_rows, parse_ids, warnings_for
from mutualplan.workspaces.clock import today_for


def deal_dict(deal: Deal) -> dict[str, Any]:
    return {
        "id": deal.id,
        "account_name": deal.account_name,
        "account_type": deal.account_type,
        "industry": deal.industry,
        "amount": float(deal.amount),
        "currency": deal.currency,
        "stage": deal.stage,
        "crm_ref": deal.crm_ref,
        "owner": deal.owner.email if deal.owner else None,
    }


def milestone_dict(m: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """One row as read by `queries.milestone_rows`, in the seller API's shape."""
    return {
        "id": m["id"],
        "version": m["version"],
        "position": m["position"],
        "title": m["title"],
        "step_type": m["step_type"],
        "owner_side": m["owner_side"],
        "owner_team": m["owner_team"],
        "owner_person": m["owner_person"],
        "due_date": m["due_date"],
        "baseline_due_date": m["baseline_due_date"],
        "anchored": m["anchor_offset"] is not None,
        "turnaround_days": m["turnaround_days"],
        "depends_on": m["depends_on"],
        "status": m["status"],
        "overdue": is_overdue(m["due_date"], m["status"], today),
        "notes": m["notes"],
        "high_risk": m["high_risk"],
        "risk_checklist": m["risk_checklist"],
        "added_by_side": m["added_by_side"],
        "added_by_name": m["added_by_name"],
        "added_at": m["added_at"],
        "status_updated_at": m["status_updated_at"],
        "status_updated_by": m["status_updated_by"],
        "completed_at": m["completed_at"],
        "confirmed": m["confirmed_at"] is not None,
        "private_notes": m["private_notes"],
    }


def seller_steps(rows: list[dict[str, Any]]) -> list[Step]:
    """Rows in the seller API's shape (`milestone_dict`) as the plan header counts them: the
    same `core.figures.standing` the buyer's header uses."""
    return [
        Step(
            id=r["id"],
            position=r["position"],
            title=r["title"],
            owner_side=r["owner_side"],
            owner_team=r["owner_team"],
            owner_person=r["owner_person"]["name"] if r["owner_person"] else "",
            due_date=r["due_date"],
            status=r["status"],
        )
        for r in rows
    ]


def row_dict(row: Milestone, today: dt.date) -> dict[str, Any]:
    """One row just written, in the seller API's shape (its fields are already in memory)."""
    values = {field: getattr(row, field) for field in ROW_FIELDS}
    joined = getattr(row, "dependency_ids", None)
    values["depends_on"] = (
        parse_ids(joined)
        if hasattr(row, "dependency_ids")
        else sorted(row.depends_on.values_list("id", flat=True))
    )
    person = row.owner_person if row.owner_person_id else None
    values["owner_person"] = (
        {"id": person.id, "name": person.name, "team": person.team} if person else None
    )
    return milestone_dict(values, today)


def plan_dict(plan: Plan, today: dt.date | None = None) -> dict[str, Any]:
    today = today or today_for(plan.workspace)
    rows = milestone_rows(plan.id)
    return {
        "id": plan.id,
        "version": plan.version,
        "status": plan.status,
        "target_date": plan.target_date,
        "baseline_target_date": plan.baseline_target_date,
        "target_reason": plan.target_reason,
        "days_left": days_left(plan.target_date, today),
        "country": plan.country,
        "business_days": plan.business_days,
        "template": plan.template_key,
        "contact_email": plan.contact_email,
        "confirmed": is_confirmed(m["confirmed_at"] is not None for m in rows),
        "committed_at": plan.committed_at,
        "created_at": plan.created_at,
        "updated_at": plan.updated_at,
        "deal": deal_dict(plan.deal),
        "milestones": [milestone_dict(m, today) for m in rows],
        "warnings": [
            {"code": w.code, "milestone_id": int(w.key), "message": w.message}
            for w in warnings_for(plan, rows, today)
        ],
    }


def finding_dict(finding: Finding) -> dict[str, Any]:
    return {
        "code": finding.code,
        "severity": finding.severity,
        "message": finding.message,
        "fix": finding.fix,
        "milestone_ids": list(finding.milestone_ids),
    }


def plan_summary(plan: Any, today: dt.date, findings: list[Finding]) -> dict[str, Any]:
    return {
        "id": plan.id,
        "version": plan.version,
        "status": plan.status,
        "target_date": plan.target_date,
        "days_left": days_left(plan.target_date, today),
        "deal": deal_dict(plan.deal),
        "rows_total": plan.rows_total,
        "rows_done": plan.rows_done,
        "rows_overdue": plan.rows_overdue,
        "last_buyer_activity_at": plan.last_buyer_activity_at,
        "updated_at": plan.updated_at,
        "health": [f.code for f in findings],
    }


def share_link_dict(link: ShareLink) -> dict[str, Any]:
    return {
        "id": link.id,
        "plan_id": link.plan_id,
        "label": link.label,
        "prefix": link.prefix,
        "created_at": link.created_at,
        "expires_at": link.expires_at,
        "revoked_at": link.revoked_at,
        "last_used_at": link.last_used_at,
    }


def plan_findings(plan: Plan, rows: list[dict[str, Any]] | None = None) -> list[DiscoveryFinding]:
    """The plan's discovery findings (`core.findings`), from rows read by `milestone_rows`
    (read here when not given)."""
    rows = rows if rows is not None else milestone_rows(plan.id)
    return discovery_findings(
        (
            FindingRow(
                id=r["id"],
                title=r["title"],
                step_type=r["step_type"],
                high_risk=r["high_risk"],
                status=r["status"],
                risk_checklist=r["risk_checklist"] or {},
                owner_team=r["owner_team"],
                owner_person=r["owner_person"]["name"] if r["owner_person"] else "",
            )
            for r in rows
        ),
        plan.deal.account_name,
    )


def discovery_dict(finding: DiscoveryFinding) -> dict[str, Any]:
    return {
        "milestone_id": finding.milestone_id,
        "milestone_title": finding.milestone_title,
        "key": finding.key,
        "answer": finding.answer,
        "question": finding.question,
        "note": finding.note,
        "text": finding.text,
    }


def stakeholder_dict(person: Stakeholder, owns: list[int]) -> dict[str, Any]:
    return {
        "id": person.id,
        "name": person.name,
        "email": person.email,
        "title": person.title,
        "team": person.team,
        "role": person.role,
        "owns": owns,
        "created_at": person.created_at,
    }


def one_stakeholder(plan: Plan, person: Stakeholder) -> dict[str, Any]:
    """One person as `plan_stakeholders` shows them (just written: one query)."""
    owns = Milestone.objects.filter(plan_id=plan.id, owner_person=person).values_list("id")
    return stakeholder_dict(person, sorted(i for (i,) in owns))


def plan_stakeholders(plan: Plan) -> list[dict[str, Any]]:
    """The people on the buyer side of the plan's deal, each with the ids of the rows they
    own. Two queries."""
    owned: dict[int, list[int]] = {}
    for row_id, person_id in Milestone.objects.filter(
        plan_id=plan.id, owner_person__isnull=False
    ).values_list("id", "owner_person_id"):
        owned.setdefault(person_id, []).append(row_id)
    return [
        stakeholder_dict(p, sorted(owned.get(p.id, [])))
        for p in Stakeholder.objects.filter(deal_id=plan.deal_id)
    ]

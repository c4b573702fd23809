"""The columns CSV and XLSX share: one plan's rows, and the workspace's plans as one table
(one row per milestone, with the deal's fields) for RevOps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from decimal import Decimal

from mutualplan.core.vocab import SIDE_LABELS
from mutualplan.formats.data import MilestoneData, PlanData, status_label

Value = str | dt.date | Decimal | int | None

PLAN_COLUMNS = (
    "Milestone",
    "Owner side",
    "Owner team",
    "Owner person",
    "Due date",
    "Status",
    "Step type",
    "High risk",
    "Notes",
)
DEAL_COLUMNS = (
    "Plan",
    "Account",
    "Account type",
    "Stage",
    "Amount",
    "Currency",
    "Deal owner",
    "CRM reference",
    "Plan status",
    "Target date",
)
WORKSPACE_COLUMNS = DEAL_COLUMNS + PLAN_COLUMNS


def milestone_cells(plan: PlanData, row: MilestoneData) -> list[Value]:
    person = plan.person(row.owner_person)
    return [
        row.title,
        SIDE_LABELS.get(row.owner_side, row.owner_side),
        row.owner_team,
        person.name if person else "",
        row.due_date,
        status_label(row.status),
        row.step_type,
        "Yes" if row.high_risk else "No",
        row.notes,
    ]


def plan_table(plan: PlanData) -> list[list[Value]]:
    """One plan's rows in `PLAN_COLUMNS` order (shared notes only, never private ones)."""
    return [milestone_cells(plan, row) for row in plan.milestones]


def deal_cells(plan: PlanData) -> list[Value]:
    deal = plan.deal
    return [
        plan.id,
        deal.account_name,
        deal.account_type,
        deal.stage,
        deal.amount,
        deal.currency,
        deal.owner or "",
        deal.crm_ref,
        plan.status,
        plan.target_date,
    ]


def workspace_table(plans: Sequence[PlanData]) -> Iterator[list[Value]]:
    """`WORKSPACE_COLUMNS` rows: one per milestone; a plan with no rows still gets one line."""
    for plan in plans:
        deal = deal_cells(plan)
        if not plan.milestones:
            yield deal + [None] * len(PLAN_COLUMNS)
        for row in plan.milestones:
            yield deal + milestone_cells(plan, row)

"""What the plan table shows: the seller's rows, and the buyer's (from the buyer read model)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from mutualplan.core.vocab import (
    RISK_CHECKLIST,
    SIDE_LABELS,
    STATUS_LABELS,
    MilestoneStatus,
    OwnerSide,
    SlipReason,
    StakeholderRole,
    StepType,
    label,
)
from mutualplan.plans.buyer_view import BuyerMilestone
from mutualplan.plans.models import Activity, Comment, Plan
from mutualplan.plans.queries import milestone_rows
from mutualplan.plans.seller_view import milestone_dict
from mutualplan.workspaces.clock import today_for

ROLE_LABELS = {
    "champion": "Champion",
    "executive_sponsor": "Executive sponsor",
    "legal": "Legal",
    "security": "Security",
    "procurement": "Procurement",
    "it": "IT",
    "finance": "Finance",
    "other": "Other",
}


CHOICES = {
    "status": [(s.value, STATUS_LABELS[s.value]) for s in MilestoneStatus],
    "owner_side": [(s.value, SIDE_LABELS[s.value]) for s in OwnerSide],
    "step_type": [(s.value, label(s.value)) for s in StepType],
    "reason_category": [(r.value, label(r.value)) for r in SlipReason],
    "role": [(r.value, ROLE_LABELS[r.value]) for r in StakeholderRole],
    "risk_answers": [("unknown", "Unknown"), ("yes", "Yes"), ("no", "No")],
}


def _slipped_days(row: dict[str, Any]) -> int:
    due, baseline = row["due_date"], row["baseline_due_date"]
    return (due - baseline).days if due and baseline else 0


def table_rows(
    plan: Plan,
    raw: list[dict[str, Any]] | None = None,
    ids: list[int] | None = None,
    today: dt.date | None = None,
) -> list[dict[str, Any]]:
    """The seller's rows in the API's shape plus what the page needs: comments, labels.

    `raw` are rows already read with `milestone_rows` (read here when not given).
    """
    today = today or today_for(plan.workspace)
    raw = raw if raw is not None else milestone_rows(plan.id, ids)
    rows = [milestone_dict(r, today=today) for r in raw]
    comments: dict[int, list[Comment]] = defaultdict(list)
    for comment in Comment.objects.filter(milestone_id__in=[r["id"] for r in rows]):
        comments[comment.milestone_id].append(comment)
    for row in rows:
        row["comments"] = comments.get(row["id"], [])
        row["status_label"] = STATUS_LABELS[row["status"]]
        row["side_label"] = SIDE_LABELS[row["owner_side"]]
        row["step_label"] = label(row["step_type"])
        row["editable"] = True
        row["slipped_days"] = _slipped_days(row)
        row["checklist"] = [
            (key, question, row["risk_checklist"].get(key, "unknown"))
            for key, question in RISK_CHECKLIST.items()
        ]
        row["findings"] = [
            RISK_CHECKLIST[key]
            for key, answer in row["risk_checklist"].items()
            if row["high_risk"] and answer != "yes" and key in RISK_CHECKLIST
        ]
    return rows


def buyer_table_rows(milestones: Sequence[BuyerMilestone]) -> list[dict[str, Any]]:
    """The buyer's rows (the buyer read model, nothing else) plus labels and who may edit."""
    rows = []
    for milestone in milestones:
        row = asdict(milestone)
        row["status_label"] = STATUS_LABELS[row["status"]]
        row["side_label"] = SIDE_LABELS[row["owner_side"]]
        # The buyer side updates buyer and joint rows; it comments on any row.
        row["editable"] = row["owner_side"] != OwnerSide.SELLER
        row["slipped_days"] = _slipped_days(row)
        rows.append(row)
    return rows


def activity_feed(plan: Plan, limit: int = 30) -> list[Activity]:
    """The seller's activity feed (the buyer's is `buyer_view.buyer_feed`)."""
    return list(Activity.objects.filter(plan=plan).order_by("-id")[:limit])

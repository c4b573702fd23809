"""What the plan table shows, for the seller page and the buyer page alike."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from mutualplan.api.serializers import milestone_dict
from mutualplan.core.vocab import (
    RISK_CHECKLIST,
    MilestoneStatus,
    OwnerSide,
    SlipReason,
    StepType,
)
from mutualplan.plans.models import Activity, Comment, Plan
from mutualplan.plans.queries import milestone_rows
from mutualplan.plans.services.history import is_seller_only

STATUS_LABELS = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "done": "Done",
    "blocked": "Blocked",
}
SIDE_LABELS = {"buyer": "Buyer", "seller": "Seller", "joint": "Buyer + Seller"}


def label(value: str) -> str:
    return value.replace("_", " ").capitalize()


CHOICES = {
    "status": [(s.value, STATUS_LABELS[s.value]) for s in MilestoneStatus],
    "owner_side": [(s.value, SIDE_LABELS[s.value]) for s in OwnerSide],
    "step_type": [(s.value, label(s.value)) for s in StepType],
    "reason_category": [(r.value, label(r.value)) for r in SlipReason],
    "risk_answers": [("unknown", "Unknown"), ("yes", "Yes"), ("no", "No")],
}


def table_rows(
    plan: Plan,
    buyer: bool,
    raw: list[dict[str, Any]] | None = None,
    ids: list[int] | None = None,
    today: dt.date | None = None,
) -> list[dict[str, Any]]:
    """Rows in the API's shape plus what the page needs: comments, labels, who may edit.

    `raw` are rows already read with `milestone_rows` (read here when not given).
    """
    today = today or dt.date.today()
    raw = raw if raw is not None else milestone_rows(plan.id, ids)
    rows = [milestone_dict(r, seller=not buyer, today=today) for r in raw]
    comments: dict[int, list[Comment]] = defaultdict(list)
    for comment in Comment.objects.filter(milestone_id__in=[r["id"] for r in rows]):
        comments[comment.milestone_id].append(comment)
    for row in rows:
        row["comments"] = comments.get(row["id"], [])
        row["status_label"] = STATUS_LABELS[row["status"]]
        row["side_label"] = SIDE_LABELS[row["owner_side"]]
        row["step_label"] = label(row["step_type"])
        row["editable"] = not buyer or row["owner_side"] != OwnerSide.SELLER
        row["slipped_days"] = (
            (row["due_date"] - row["baseline_due_date"]).days
            if row["due_date"] and row["baseline_due_date"]
            else 0
        )
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


def activity_feed(plan: Plan, buyer: bool, limit: int = 30) -> list[Activity]:
    recent = list(Activity.objects.filter(plan=plan).order_by("-id")[: limit * 2])
    if buyer:
        recent = [a for a in recent if not is_seller_only(a.verb, a.data)]
    return recent[:limit]

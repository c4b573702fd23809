"""A plan with something for a digest to say: Olivia's plan for Northwind Health has an
overdue buyer step owned by Sam (IT Security); Priya is the champion."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mutualplan.plans.models import Milestone, Plan, Stakeholder
from mutualplan.workspaces.clock import today_for

SAMS_STEP = "Security questionnaire for Sam"
PRIVATE = "wombat: the champion leaves in June"


def seed_digest_plan(plan: Plan) -> dict[str, Any]:
    """Sam, Priya and Sam's overdue step on `plan`; a private note on its first row."""
    today = today_for(plan.workspace)
    priya = Stakeholder.objects.create(
        deal=plan.deal,
        name="Priya Champion",
        email="priya@buyer.example",
        role="champion",
        is_champion=True,
    )
    sam = Stakeholder.objects.create(
        deal=plan.deal, name="Sam Security", email="Sam@Buyer.example", role="security"
    )
    rows = list(Milestone.objects.filter(plan=plan).order_by("position", "id"))
    buyer_row = next(r for r in rows if r.owner_side == "buyer")
    Milestone.objects.filter(id=buyer_row.id).update(
        owner_person=sam, due_date=today - dt.timedelta(days=2), title=SAMS_STEP
    )
    Milestone.objects.filter(id=rows[0].id).update(private_notes=PRIVATE)
    return {"priya": priya, "sam": sam, "row_id": buyer_row.id}

"""A demo workspace with a few realistic deals, for `mutualplan serve --demo`, and on request
a generated history of many more (demo_history.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from mutualplan.core.vocab import MilestoneStatus
from mutualplan.demo_history import generated_count, load_history
from mutualplan.plans.actors import Actor
from mutualplan.plans.models import Milestone, Plan
from mutualplan.plans.services import milestones as milestone_service
from mutualplan.plans.services import plans as plan_service
from mutualplan.plans.services.sharing import create_share_link
from mutualplan.plans.services.sharing import share_url as url_of
from mutualplan.workspaces.clock import today_for
from mutualplan.workspaces.services import issue_token, join_workspace, onboard_seller

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-password"

DEALS: list[dict[str, Any]] = [
    {
        "account_name": "Northwind Health",
        "account_type": "enterprise",
        "industry": "Healthcare",
        "amount": Decimal("185000"),
        "stage": "evaluation",
        "days": 60,
        "country": "US",
        "reason": "New patient portal must be live before open enrolment on March 1; the board "
        "approved the budget for this fiscal year only.",
        "done": 1,
    },
    {
        "account_name": "Contoso Logistics",
        "account_type": "mid_market",
        "industry": "Logistics",
        "amount": Decimal("64000"),
        "stage": "business_case",
        "days": 45,
        "country": "GB",
        "reason": "Peak season starts in April; routing changes must be contracted before the "
        "carrier renegotiation.",
        "done": 0,
    },
    {
        "account_name": "Fabrikam Retail",
        "account_type": "smb",
        "industry": "Retail",
        "amount": Decimal("18500"),
        "stage": "negotiation",
        "days": 20,
        "country": "DE",
        "reason": "The current tool's licence ends on the 31st; no renewal is budgeted.",
        "done": 4,
    },
    {
        "account_name": "Tailspin Aerospace",
        "account_type": "enterprise",
        "industry": "Manufacturing",
        "amount": Decimal("420000"),
        "stage": "demo",
        "days": None,
        "country": "US",
        "reason": "",
        "done": 0,
    },
]


@transaction.atomic
def load_demo(
    today: dt.date | None = None,
    deals: int = 0,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Create (or reuse) the demo workspace, with `deals` generated deals besides the
    hand-written ones unless it already has generated deals; returns how to sign in and
    how many generated deals were `added` and are there in all (`generated`)."""
    user = get_user_model().objects.filter(username=DEMO_EMAIL).first()
    if user is None:
        onboarded = onboard_seller(
            DEMO_EMAIL,
            workspace="demo",
            workspace_name="Demo Co",
            name="Dana Seller",
            password=DEMO_PASSWORD,
        )
        user, workspace = onboarded.user, onboarded.workspace
    else:
        workspace, _ = join_workspace(user, "demo", "Demo Co")
    today = today or today_for(workspace)
    _, token = issue_token(user, workspace, name="demo")
    share_url = ""
    if not Plan.objects.filter(workspace=workspace).exists():
        seller = Actor.seller(user)
        for spec in DEALS:
            target = today + dt.timedelta(days=spec["days"]) if spec["days"] else None
            plan = plan_service.create_plan(
                workspace,
                seller,
                deal=plan_service.DealInput(
                    account_name=spec["account_name"],
                    account_type=spec["account_type"],
                    stage=spec["stage"],
                    amount=spec["amount"],
                    industry=spec["industry"],
                ),
                target_date=target,
                target_reason=spec["reason"],
                country=spec["country"],
                business_days=spec["country"] == "DE",
            )
            for row in Milestone.objects.filter(plan=plan).order_by("position")[: spec["done"]]:
                milestone_service.update_milestone(
                    plan,
                    row.id,
                    seller,
                    row.version,
                    {"status": MilestoneStatus.DONE},
                )
            if spec["account_name"] == "Northwind Health":
                _, share_token = create_share_link(plan, seller, label="Priya (champion)")
                buyer = Actor.buyer(
                    "Priya Raman", "priya@northwind.example", plan.share_links.get()
                )
                milestone_service.add_milestone(
                    plan,
                    buyer,
                    {
                        "title": "Internal budget approval",
                        "owner_team": "Finance",
                        "due_date": target - dt.timedelta(days=21) if target else None,
                    },
                )
                share_url = url_of(share_token)
    else:
        # Links keep only a hash, so a second start shows a fresh one for the same plan.
        first = Plan.objects.filter(workspace=workspace).order_by("id")[0]
        _, share_token = create_share_link(first, Actor.seller(user), label="demo")
        share_url = url_of(share_token)
    added = load_history(workspace, user, deals, today, progress)
    return {
        "email": DEMO_EMAIL,
        "password": DEMO_PASSWORD,
        "token": token,
        "share_url": share_url,
        "added": added,
        "generated": generated_count(workspace),
    }

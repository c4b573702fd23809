"""Open and closed deals for the pipeline forecast's tests (API, page, command line)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from mutualplan.core.vocab import PlanStatus
from mutualplan.plans.models import Plan
from mutualplan.workspaces.models import Workspace
from tests.conftest import make_plan


def pipeline_deal(
    seller: Any,
    name: str,
    amount: int,
    *,
    account_type: str = "enterprise",
    currency: str = "USD",
    close_in_days: int | None = 30,
    status: str = PlanStatus.ACTIVE,
    workspace: Workspace | None = None,
) -> Plan:
    """A deal with its plan (the standard template, target in 90 days), owned by `seller`,
    with a CRM close date `close_in_days` from today (None: none) and the plan's `status`."""
    plan = make_plan(
        seller,
        workspace=workspace,
        deal={
            "account_name": name,
            "account_type": account_type,
            "stage": "evaluation",
            "amount": Decimal(amount),
            "currency": currency,
        },
    )
    deal = plan.deal
    deal.close_date = (
        None if close_in_days is None else dt.date.today() + dt.timedelta(days=close_in_days)
    )
    deal.save(update_fields=["close_date"])
    if status != plan.status:
        Plan.objects.filter(pk=plan.pk).update(status=status)
        plan.refresh_from_db()
    return plan

"""Building a small history by hand for the analytics tests: plans from the standard template
whose rows were added, completed and slipped on chosen days."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from mutualplan.core.vocab import MilestoneStatus, PlanStatus
from mutualplan.plans.models import Milestone, Plan, Slip
from tests.conftest import make_plan

START = dt.date(2026, 1, 5)


def moment(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


def history_plan(
    seller: Any,
    account_type: str,
    started: dt.date = START,
    done: dict[str, int] | None = None,
    status: str = PlanStatus.ACTIVE,
    closed: dt.date | None = None,
) -> Plan:
    """A standard plan created on `started`; `done` maps a template row's step type to the
    day (after `started`) it was completed."""
    plan = make_plan(seller, deal={**_deal(account_type)})
    Plan.objects.filter(pk=plan.pk).update(created_at=moment(started), status=status)
    plan.deal.created_at = moment(started)
    plan.deal.close_date = closed
    plan.deal.save(update_fields=["created_at", "close_date"])
    plan.milestones.update(added_at=moment(started))
    for step_type, after in (done or {}).items():
        plan.milestones.filter(step_type=step_type).update(
            status=MilestoneStatus.DONE, completed_at=started + dt.timedelta(days=after)
        )
    plan.refresh_from_db()
    return plan


def slip(plan: Plan, step_type: str, days: int, reason: str, on: dt.date) -> None:
    row = plan.milestones.get(step_type=step_type)
    Slip.objects.create(
        plan=plan,
        milestone=row,
        milestone_title=row.title,
        from_date=row.due_date,
        to_date=row.due_date,
        days=days,
        reason_category=reason,
        actor_kind="seller",
        created_at=moment(on),
    )


def _deal(account_type: str) -> dict[str, Any]:
    return {
        "account_name": f"{account_type.title()} Co",
        "account_type": account_type,
        "stage": "evaluation",
        "amount": 50000,
        "currency": "USD",
    }


def now_is(day: dt.date) -> Any:
    """Patch target making `timezone.now` answer noon UTC of `day`."""
    return moment(day)


__all__ = ["START", "Milestone", "history_plan", "moment", "now_is", "slip", "timezone"]

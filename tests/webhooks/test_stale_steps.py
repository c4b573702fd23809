"""`step.stale`: the periodic check tells the endpoints of a buyer step that went stale once
per stale episode, not again every hour until the step is updated and goes stale again."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from mutualplan.plans.models import Milestone, Plan
from mutualplan.webhooks.models import WebhookDelivery
from mutualplan.webhooks.stale import emit_stale_steps, requeue_stuck
from mutualplan.workspaces.models import Workspace
from tests.conftest import Api
from tests.webhooks.conftest import Receiver, add_endpoint, settled_deliveries

pytestmark = pytest.mark.django_db(transaction=True)


def age(plan: dict[str, Any], days: int) -> None:
    """Every row's last status update (and the plan's creation) `days` ago."""
    then = timezone.now() - dt.timedelta(days=days)
    Plan.objects.filter(id=plan["id"]).update(created_at=then)
    Milestone.objects.filter(plan_id=plan["id"]).update(status_updated_at=then)


def buyer_rows(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for m in plan["milestones"] if m["owner_side"] == "buyer" and m["status"] != "done"]


def test_a_stale_buyer_step_is_sent_once_per_stale_episode(
    owner_api: Api,
    plan: dict[str, Any],
    private_allowed: Workspace,
    receiver: Receiver,
    queue_consumer: Any,
) -> None:
    endpoint = add_endpoint(owner_api, receiver.url, "step.stale")
    stale = buyer_rows(plan)
    assert stale
    age(plan, 20)

    assert emit_stale_steps() == len(stale)
    assert emit_stale_steps() == 0  # the next hour: the same episode, nothing new

    settled = settled_deliveries(owner_api, endpoint["id"], len(stale))
    assert [d["status"] for d in settled] == ["sent"] * len(stale), settled
    bodies = [json.loads(r.body) for r in receiver.requests]
    assert {b["milestone"]["id"] for b in bodies} == {m["id"] for m in stale}
    assert all(b["event"] == "step.stale" for b in bodies)
    assert all(b["data"]["days_silent"] == 20 and b["data"]["stale_days"] == 14 for b in bodies)

    # The buyer updates one step: a new episode starts, stale again only after 14 more days.
    first = stale[0]
    response = owner_api.patch(
        f"/plans/{plan['id']}/milestones/{first['id']}", {"version": 1, "status": "in_progress"}
    )
    assert response.status_code == 200
    assert emit_stale_steps() == 0
    Milestone.objects.filter(id=first["id"]).update(
        status_updated_at=timezone.now() - dt.timedelta(days=15)
    )
    assert emit_stale_steps() == 1
    again = WebhookDelivery.objects.filter(event="step.stale").order_by("-id").first()
    assert again is not None and again.payload["milestone"]["id"] == first["id"]


def test_steps_are_not_checked_for_workspaces_without_a_stale_step_endpoint(
    owner_api: Api, plan: dict[str, Any], private_allowed: Workspace
) -> None:
    add_endpoint(owner_api, "http://10.0.0.9/hook", "milestone.updated")
    age(plan, 30)

    assert emit_stale_steps() == 0
    assert not WebhookDelivery.objects.exists()


def test_a_delivery_that_never_reached_the_queue_is_handed_to_it_again(
    owner_api: Api,
    plan: dict[str, Any],
    private_allowed: Workspace,
    receiver: Receiver,
    queue_consumer: Any,
) -> None:
    from mutualplan.webhooks.models import WebhookEndpoint
    from mutualplan.webhooks.services import payload

    endpoint = add_endpoint(owner_api, receiver.url, "plan.sent")
    lost = WebhookDelivery(
        endpoint=WebhookEndpoint.objects.get(id=endpoint["id"]),
        event="plan.sent",
        created_at=timezone.now() - dt.timedelta(hours=2),
    )
    lost.payload = payload(
        str(lost.uuid), "plan.sent", lost.created_at, Plan.objects.get(id=plan["id"]), None, {}
    )
    lost.save()

    assert requeue_stuck() == 1

    [delivery] = settled_deliveries(owner_api, endpoint["id"])
    assert delivery["status"] == "sent"
    assert receiver.events() == ["plan.sent"]


def test_a_second_worker_checking_the_same_episode_at_once_sends_nothing_more(
    owner_api: Api, plan: dict[str, Any], private_allowed: Workspace
) -> None:
    from mutualplan.webhooks.models import StaleStepNotice
    from mutualplan.webhooks.stale import _claim

    add_endpoint(owner_api, "http://10.0.0.9/hook", "step.stale")
    age(plan, 20)
    row = Milestone.objects.get(id=buyer_rows(plan)[0]["id"])

    # Both workers read "no marker yet": the first claims the episode, the second cannot.
    assert _claim(row, None) is True
    assert _claim(row, None) is False
    # Both read the marker of the previous episode: only the first moves it on.
    notice = StaleStepNotice.objects.get(milestone=row)
    row.status_updated_at = timezone.now()
    assert _claim(row, notice) is True
    assert _claim(row, notice) is False

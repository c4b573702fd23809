"""GET /api/v1/plans/{id}/emails: every email about a plan with its outcome, so a failed send
is visible through the API as it is on the plan page."""

from __future__ import annotations

from typing import Any

import pytest

from mutualplan.plans.models import EmailDelivery
from tests.conftest import Api
from tests.mail.conftest import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def failed(plan_id: int) -> list[dict[str, Any]] | None:
    unsettled = [EmailDelivery.QUEUED, EmailDelivery.SENDING]
    if EmailDelivery.objects.filter(plan_id=plan_id, status__in=unsettled).exists():
        return None
    return list(EmailDelivery.objects.filter(plan_id=plan_id).values())


def test_the_api_lists_a_failed_send_with_the_mail_servers_reason(
    owner_api: Api, plan: dict[str, Any], smtp_down: int, queue_consumer: Any
) -> None:
    sent = owner_api.post(
        f"/plans/{plan['id']}/send", {"recipients": ["priya@buyer.example"], "message": "Hi"}
    )
    assert sent.status_code == 202
    assert wait_for(lambda: failed(plan["id"]))

    response = owner_api.get(f"/plans/{plan['id']}/emails")

    assert response.status_code == 200
    [email] = response.json_body
    assert email["recipient"] == "priya@buyer.example"
    assert email["kind"] == "plan"
    assert email["status"] == "failed"
    assert email["attempts"] == 3
    assert f"could not reach the mail server at 127.0.0.1:{smtp_down}" in email["last_error"]
    assert "token" not in str(email) and "/s/" not in str(email)


def test_a_plan_with_nothing_sent_lists_no_emails(owner_api: Api, plan: dict[str, Any]) -> None:
    response = owner_api.get(f"/plans/{plan['id']}/emails")

    assert response.status_code == 200
    assert response.json_body == []


def test_another_workspace_cannot_list_a_plans_emails(
    owner_api: Api, outsider_api: Api, plan: dict[str, Any]
) -> None:
    owner_api.post(f"/plans/{plan['id']}/send", {"recipients": ["priya@buyer.example"]})

    response = outsider_api.get(f"/plans/{plan['id']}/emails")

    assert response.status_code == 404
    assert "priya" not in str(response.json_body)

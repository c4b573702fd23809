"""`mutualplan plan escalations` and `plan escalate`: a stale buyer step's escalation listed
and emailed from the terminal, with the same checks as the API."""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner

from mutualplan.cli import main
from mutualplan.plans.models import Activity, EmailDelivery
from tests.conftest import seller_plan
from tests.web.test_escalations import champion, stale_buyer_step


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_escalations_are_listed_then_one_is_emailed_and_shows_as_queued(owner: Any) -> None:
    plan = seller_plan(owner)
    row = stale_buyer_step(plan)
    champion(plan)

    listed = run("plan", "escalations", str(plan["id"]), "--user", owner.email)
    assert listed.exit_code == 0, listed.output
    assert row.title in listed.output and "20 days" in listed.output
    assert "Priya Shah <priya@northwind.example>" in listed.output
    assert "not sent" in listed.output

    sent = run(
        "plan",
        "escalate",
        str(plan["id"]),
        str(row.id),
        "--to",
        "dana@northwind.example",
        "--subject",
        "Where is the security review?",
        "--user",
        owner.email,
    )
    assert sent.exit_code == 0, sent.output
    assert "Escalation queued for dana@northwind.example" in sent.output
    delivery = EmailDelivery.objects.get()
    assert (delivery.kind, delivery.recipient, delivery.subject) == (
        "escalation",
        "dana@northwind.example",
        "Where is the security review?",
    )
    assert delivery.message.startswith("Hi Priya,")
    assert Activity.objects.filter(verb="escalation_sent", milestone_id=row.id).exists()
    again = json.loads(
        run("plan", "escalations", str(plan["id"]), "--json", "--user", owner.email).output
    )
    [item] = again["escalations"]
    assert item["last_email"]["status"] == "queued"
    assert item["last_email"]["recipient"] == "dana@northwind.example"


def test_escalate_refuses_a_bad_address_and_another_workspace_and_sends_nothing(
    owner: Any, outsider: Any
) -> None:
    plan = seller_plan(owner)
    row = stale_buyer_step(plan)
    champion(plan)

    bad = run(
        "plan", "escalate", str(plan["id"]), str(row.id), "--to", "nope", "--user", owner.email
    )
    assert bad.exit_code == 2 and "to: 'nope' is not an email address" in bad.output
    outside = run("plan", "escalate", str(plan["id"]), str(row.id), "--user", outsider.email)
    assert outside.exit_code == 2 and "not found" in outside.output
    assert not EmailDelivery.objects.exists()


def test_a_plan_without_stale_buyer_steps_has_no_escalations(owner: Any) -> None:
    plan = seller_plan(owner)

    listed = run("plan", "escalations", str(plan["id"]), "--user", owner.email)

    assert listed.exit_code == 0 and "No escalations" in listed.output

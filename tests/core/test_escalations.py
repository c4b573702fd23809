"""Escalations in the core: a stale buyer step, who to write to, and the drafted email."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, unquote, urlsplit

from mutualplan.core.escalations import Contact, EscalationStep, escalations

TODAY = dt.date(2026, 6, 30)
CREATED = dt.date(2026, 5, 1)
PRIYA = Contact(1, "Priya Shah", "priya@northwind.example", "champion")
DANA = Contact(2, "Dana Whitfield", "dana@northwind.example", "executive_sponsor")


def step(**changes: object) -> EscalationStep:
    fields: dict[str, object] = {
        "id": 7,
        "title": "Security review",
        "owner_side": "buyer",
        "status": "in_progress",
        "owner_team": "IT Security",
        "owner_person": "Sam Lee",
        "owner_person_id": 3,
        "due_date": dt.date(2026, 6, 20),
        "status_updated_on": dt.date(2026, 6, 10),
    }
    return EscalationStep(**(fields | changes))  # type: ignore[arg-type]


def run(steps: list[EscalationStep], people: list[Contact]) -> list:  # type: ignore[type-arg]
    return escalations(
        steps,
        people,
        stale_days=14,
        today=TODAY,
        created_on=CREATED,
        account_name="Northwind Health",
        seller_name="Olivia Owner",
        target_date=dt.date(2026, 9, 1),
    )


def test_a_stale_buyer_step_raises_an_escalation_naming_step_owner_due_date_and_contact() -> None:
    [found] = run([step()], [DANA, PRIYA])
    assert (found.title, found.owner, found.escalate_to, found.days_silent) == (
        "Security review",
        "IT Security (Sam Lee)",
        "Priya Shah",
        20,
    )
    assert found.body.startswith("Hi Priya,")
    for named in ("'Security review'", "Sam Lee in IT Security", "June 20, 2026", "20 days"):
        assert named in found.body
    assert found.body.endswith("Olivia Owner")
    assert "Security review" in found.subject and "Northwind Health" in found.subject


def test_the_mailto_link_carries_the_address_subject_and_body_percent_encoded() -> None:
    [found] = run([step(title="Legal & security review?")], [PRIYA])
    url = urlsplit(found.mailto)
    assert (url.scheme, url.path) == ("mailto", "priya@northwind.example")
    assert " " not in found.mailto and "\n" not in found.mailto
    query = parse_qs(url.query)
    assert unquote(found.mailto).count("&") >= 2  # the title's & is encoded, not a separator
    assert query["subject"] == [found.subject] and query["body"] == [found.body]


def test_without_a_champion_the_executive_sponsor_is_escalated_to() -> None:
    [found] = run([step()], [DANA])
    assert (found.escalate_to, found.escalate_to_role) == ("Dana Whitfield", "executive_sponsor")


def test_with_no_one_recorded_the_draft_goes_to_your_champion() -> None:
    [found] = run([step()], [])
    assert (found.escalate_to, found.escalate_to_email) == ("your champion", "")
    assert found.body.startswith("Hi there,") and found.mailto.startswith("mailto:?subject=")


def test_a_step_owned_by_the_champion_is_escalated_to_the_executive_sponsor() -> None:
    [found] = run([step(owner_person_id=PRIYA.id, owner_person="Priya Shah")], [PRIYA, DANA])
    assert found.escalate_to == "Dana Whitfield"


def test_recent_done_seller_and_joint_steps_raise_no_escalation() -> None:
    quiet = [
        step(id=1, status_updated_on=dt.date(2026, 6, 20)),
        step(id=2, status="done"),
        step(id=3, owner_side="seller"),
        step(id=4, owner_side="joint"),
    ]
    assert run(quiet, [PRIYA]) == []


def test_a_step_never_updated_counts_from_the_plans_creation() -> None:
    [found] = run([step(status_updated_on=None, due_date=None)], [PRIYA])
    assert found.days_silent == (TODAY - CREATED).days
    assert "has no due date yet" in found.body

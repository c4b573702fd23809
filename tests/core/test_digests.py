"""The daily digests in the core: what a seller's and a buyer's digest hold for today."""

from __future__ import annotations

import datetime as dt

from mutualplan.core.digests import (
    DigestPlan,
    DigestRow,
    buyer_digest,
    buyer_plan_digest,
    seller_digest,
)
from mutualplan.core.escalations import Contact

TODAY = dt.date(2026, 6, 30)
PRIYA = Contact(1, "Priya Shah", "priya@northwind.example", "champion")
SAM = Contact(3, "Sam Lee", "sam@northwind.example", "security")


def row(id: int, days: int | None, **changes: object) -> DigestRow:
    fields: dict[str, object] = {
        "id": id,
        "title": f"Step {id}",
        "owner_side": "buyer",
        "status": "in_progress",
        "due_date": TODAY + dt.timedelta(days=days) if days is not None else None,
        "status_updated_on": TODAY,
        "confirmed": True,
    }
    return DigestRow(**(fields | changes))  # type: ignore[arg-type]


def plan(*rows: DigestRow, **changes: object) -> DigestPlan:
    fields: dict[str, object] = {
        "id": 1,
        "account_name": "Northwind Health",
        "status": "active",
        "created_on": TODAY - dt.timedelta(days=5),
        "rows": rows,
        "target_date": TODAY + dt.timedelta(days=60),
        "people": (PRIYA, SAM),
        "seller_name": "Olivia Owner",
    }
    return DigestPlan(**(fields | changes))  # type: ignore[arg-type]


def seller(*plans: DigestPlan) -> object:
    return seller_digest(plans, stale_days=14, review_interval_days=14, today=TODAY)


def test_a_seller_digest_lists_overdue_and_due_soon_steps_of_each_plan() -> None:
    digest = seller(plan(row(1, -3), row(2, 7), row(3, 8), row(4, -1, status="done")))

    [part] = digest.plans  # type: ignore[attr-defined]
    assert [r.id for r in part.overdue] == [1]
    assert [r.id for r in part.due_soon] == [2]
    assert part.escalations == () and part.not_reviewed_days is None


def test_a_stale_buyer_step_comes_with_whom_to_escalate_to() -> None:
    stale = row(
        5,
        20,
        owner_person_id=3,
        owner_person="Sam Lee",
        status_updated_on=TODAY - dt.timedelta(days=15),
    )

    [part] = seller(plan(stale)).plans  # type: ignore[attr-defined]

    [escalation] = part.escalations
    assert escalation.title == "Step 5"
    assert escalation.escalate_to == "Priya Shah"
    assert escalation.days_silent == 15


def test_an_active_plan_not_reviewed_on_a_call_for_longer_than_the_interval_is_listed() -> None:
    old = plan(
        row(1, 30),
        created_on=TODAY - dt.timedelta(days=40),
        last_call_on=TODAY - dt.timedelta(days=20),
    )

    [part] = seller(old).plans  # type: ignore[attr-defined]

    assert part.not_reviewed_days == 20


def test_a_seller_with_nothing_to_act_on_gets_an_empty_digest() -> None:
    assert seller(plan(row(1, 30), row(2, -5, status="done"))).is_empty  # type: ignore[attr-defined]
    assert seller(plan(row(1, -5), status="won")).is_empty  # type: ignore[attr-defined]
    assert seller().is_empty  # type: ignore[attr-defined]


def test_a_buyer_digest_holds_their_own_open_steps_overdue_first_then_due_soon_then_the_rest() -> (
    None
):
    rows = (
        row(1, 40, owner_person_id=3),
        row(2, 2, owner_person_id=3),
        row(3, -2, owner_person_id=3),
        row(4, None, owner_person_id=3),
        row(5, -9, owner_person_id=1),
        row(6, -9, owner_person_id=3, status="done"),
    )

    part = buyer_plan_digest(plan(*rows), frozenset({3}), champion=False, today=TODAY)

    assert [r.id for r in part.overdue] == [3]
    assert [r.id for r in part.due_soon] == [2]
    assert [r.id for r in part.later] == [1, 4]
    assert part.changed == ()


def test_the_champion_also_sees_the_rows_changed_since_they_confirmed() -> None:
    rows = (row(1, 10, confirmed=False), row(2, 10), row(3, 10, confirmed=False, status="done"))

    confirmed = buyer_plan_digest(plan(*rows, confirmed_once=True), frozenset({1}), True, TODAY)
    never = buyer_plan_digest(plan(*rows), frozenset({1}), True, TODAY)
    not_champion = buyer_plan_digest(plan(*rows, confirmed_once=True), frozenset({3}), False, TODAY)

    assert [r.id for r in confirmed.changed] == [1]
    assert never.is_empty
    assert not_champion.is_empty


def test_a_buyer_with_no_open_steps_gets_an_empty_digest() -> None:
    done = plan(row(1, -3, owner_person_id=3, status="done"))
    paused = plan(row(1, -3, owner_person_id=3), status="paused")

    digest = buyer_digest(
        [
            buyer_plan_digest(done, frozenset({3}), False, TODAY),
            buyer_plan_digest(paused, frozenset({3}), False, TODAY),
        ]
    )

    assert digest.is_empty

"""The buyer confirms from the link row by row (without JavaScript too), sees a changed row
ask to be confirmed again, and sees what changed since the version they received; the
seller's plan page offers "Send revised version" with the same summary and names the kind of
each email."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from mutualplan.plans.actors import Actor
from mutualplan.plans.models import Confirmation, EmailDelivery, Milestone, Plan
from mutualplan.plans.services import plans as plan_service
from mutualplan.plans.services import versions
from mutualplan.plans.services.milestones import update_milestone
from mutualplan.plans.services.sharing import revoke_share_link
from tests.conftest import Api, seller_plan

pytestmark = pytest.mark.django_db


def identified(token: str) -> Client:
    client = Client()
    client.post(f"/s/{token}/", {"name": "Priya Champion", "email": "priya@buyer.example"})
    return client


def dated_rows(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for m in plan["milestones"] if m["due_date"]]


def test_a_buyer_confirms_one_row_from_the_page_without_javascript(
    plan: dict[str, Any], share_token: str
) -> None:
    client = identified(share_token)
    row = dated_rows(plan)[1]
    assert client.get(f"/s/{share_token}/").content.decode().count(">Confirm</button>") == len(
        dated_rows(plan)
    )

    response = client.post(f"/s/{share_token}/rows/{row['id']}/confirm/", follow=True)

    assert response.status_code == 200
    page = response.content.decode()
    assert "that step&#x27;s date and owner are confirmed" in page
    assert page.count(">Confirm</button>") == len(dated_rows(plan)) - 1
    assert list(
        Milestone.objects.filter(confirmed_at__isnull=False).values_list("id", flat=True)
    ) == [row["id"]]
    confirmation = Confirmation.objects.get()
    assert (confirmation.milestone_id, confirmation.buyer_name) == (row["id"], "Priya Champion")
    # One row confirmed is not the whole plan.
    assert Plan.objects.get(id=plan["id"]).confirmed_at is None


def test_a_buyer_who_has_not_named_themselves_cannot_confirm_a_row(
    plan: dict[str, Any], share_token: str
) -> None:
    row = dated_rows(plan)[0]
    response = Client().post(
        f"/s/{share_token}/rows/{row['id']}/confirm/", headers={"Accept": "application/json"}
    )
    assert response.status_code == 403
    assert not Milestone.objects.filter(confirmed_at__isnull=False).exists()


def test_a_row_of_another_plan_or_a_revoked_link_confirms_nothing(
    owner: Any, outsider: Any, plan: dict[str, Any], share_token: str
) -> None:
    theirs = seller_plan(outsider)
    client = identified(share_token)
    other_row = theirs["milestones"][0]["id"]
    response = client.post(
        f"/s/{share_token}/rows/{other_row}/confirm/", headers={"Accept": "application/json"}
    )
    assert response.status_code == 400
    assert "is not in this plan" in response.content.decode()
    revoke_share_link(Plan.objects.get(id=plan["id"]).share_links.get(), Actor.seller(owner))
    row = dated_rows(plan)[0]["id"]
    assert client.post(f"/s/{share_token}/rows/{row}/confirm/").status_code == 410
    assert not Milestone.objects.filter(confirmed_at__isnull=False).exists()
    assert not Confirmation.objects.exists()


def test_a_confirmed_row_the_seller_moves_asks_the_buyer_to_confirm_it_again(
    owner: Any, plan: dict[str, Any], share_token: str
) -> None:
    client = identified(share_token)
    row = dated_rows(plan)[1]
    client.post(f"/s/{share_token}/rows/{row['id']}/confirm/")
    stored = Plan.objects.get(id=plan["id"])
    due = dt.date.fromisoformat(row["due_date"]) + dt.timedelta(days=4)
    update_milestone(
        stored,
        row["id"],
        Actor.seller(owner),
        row["version"],
        {"due_date": due},
        reason_category="seller_side_delay",
        reason_text="kangaroo: our engineer is out",
    )

    page = client.get(f"/s/{share_token}/").content.decode()
    assert page.count("Changed since you confirmed — confirm again") == 1
    assert "kangaroo" not in page
    assert Milestone.objects.get(id=row["id"]).unconfirmed_at is not None
    seen = Client().get(f"/api/v1/shared/{share_token}").json()
    flags = {m["id"]: m["changed_since_confirmed"] for m in seen["milestones"]}
    assert [i for i, changed in flags.items() if changed] == [row["id"]]

    client.post(f"/s/{share_token}/rows/{row['id']}/confirm/")
    page = client.get(f"/s/{share_token}/").content.decode()
    assert "Changed since you confirmed" not in page
    assert Milestone.objects.get(id=row["id"]).unconfirmed_at is None


def test_the_buyer_sees_what_changed_since_the_version_they_received(
    owner: Any, plan: dict[str, Any], share_token: str
) -> None:
    stored = Plan.objects.get(id=plan["id"])
    seller = Actor.seller(owner)
    client = identified(share_token)
    versions.send_version(stored, seller, "first")
    assert "What changed since" not in client.get(f"/s/{share_token}/").content.decode()
    before = Client().get(f"/api/v1/shared/{share_token}/changes")
    assert before.status_code == 200
    assert before.json()["revised"] is False and before.json()["changes"] == []
    target = dt.date.fromisoformat(plan["target_date"])
    plan_service.retarget(
        stored,
        seller,
        target + dt.timedelta(days=14),
        plan["version"],
        "budget_or_procurement",
        "kangaroo: their budget is frozen",
    )
    versions.send_version(Plan.objects.get(id=plan["id"]), seller, "second")

    page = client.get(f"/s/{share_token}/").content.decode()
    sent_on = stored.versions.get(number=1).created_at.date()
    assert f"What changed since {sent_on:%B} {sent_on.day}, {sent_on.year}" in page
    assert "Target date moved 14 days later" in page
    assert "kangaroo" not in page
    card = page.split('class="card what-changed"')[1].split("</section>")[0]
    assert "budget" not in card.lower()
    # Eight re-dated rows and the target: the card shows the first eight and a count.
    assert "…and 1 more change." in page
    changes = Client().get(f"/api/v1/shared/{share_token}/changes").json()
    assert changes["revised"] is True
    assert (changes["from_version"], changes["to_version"]) == (1, 2)
    assert changes["summary"][0].startswith("Target date moved 14 days later")
    assert len(changes["changes"]) == len(changes["summary"]) == 1 + len(dated_rows(plan))
    assert "kangaroo" not in str(changes)


def test_a_revoked_link_reads_no_changes(
    owner: Any, plan: dict[str, Any], share_token: str
) -> None:
    revoke_share_link(Plan.objects.get(id=plan["id"]).share_links.get(), Actor.seller(owner))
    assert Client().get(f"/api/v1/shared/{share_token}/changes").status_code == 410
    assert Client().get("/api/v1/shared/not-a-token/changes").status_code == 404


def test_the_plan_page_offers_a_revised_version_with_its_summary_and_names_each_emails_kind(
    owner: Any, owner_api: Api, plan: dict[str, Any]
) -> None:
    browser = Client()
    browser.force_login(owner)
    page = browser.get(f"/plans/{plan['id']}/").content.decode()
    assert "Send revised version" not in page
    sent = owner_api.post(f"/plans/{plan['id']}/send", {"recipients": ["priya@buyer.example"]})
    assert sent.status_code == 202

    page = browser.get(f"/plans/{plan['id']}/").content.decode()
    assert "Send revised version" in page
    assert "No changes since the version you received on" in page
    assert '<td data-kind="plan">Plan sent</td>' in page
    row = plan["milestones"][0]
    owner_api.patch(
        f"/plans/{plan['id']}/milestones/{row['id']}",
        {"version": row["version"], "title": "Business case signed off"},
    )
    page = browser.get(f"/plans/{plan['id']}/").content.decode()
    assert f"“{row['title']}” renamed “Business case signed off”" in page

    answer = browser.post(
        f"/plans/{plan['id']}/send-email/",
        {"recipients": "priya@buyer.example", "send_anyway": "1"},
        follow=True,
    ).content.decode()
    assert "Revised version 2 is on its way to 1 person" in answer
    assert '<td data-kind="revision">Revised version</td>' in answer
    assert list(EmailDelivery.objects.order_by("id").values_list("kind", flat=True)) == [
        "plan",
        "revision",
    ]

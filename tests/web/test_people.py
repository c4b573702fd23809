"""The plan page's buyer side: the people (add, edit, remove with plain forms), the owner
person of a row, who opened the plan, and the discovery findings."""

from __future__ import annotations

from typing import Any

from django.test import Client

from mutualplan.plans.models import BuyerVisit, Milestone, Stakeholder
from tests.conftest import BUYER


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def buyer_row(plan: dict[str, Any]) -> dict[str, Any]:
    return next(m for m in plan["milestones"] if m["owner_side"] == "buyer")


def test_the_owner_adds_a_person_with_the_form_and_sees_them_on_the_plan_page(
    owner: Any, plan: dict[str, Any]
) -> None:
    seller = signed_in(owner)
    added = seller.post(
        f"/plans/{plan['id']}/stakeholders/add/",
        {
            "name": "Priya Shah",
            "email": "priya@buyer.example",
            "title": "Head of IT",
            "role": "champion",
        },
    )
    assert added.status_code == 302 and added["Location"].endswith("#stakeholders")
    page = seller.get(f"/plans/{plan['id']}/").content.decode()
    assert "People on the buyer side" in page
    assert "Priya Shah" in page and "priya@buyer.example" in page and "Champion" in page
    assert Stakeholder.objects.get().title == "Head of IT"


def test_a_teammate_makes_a_person_own_a_row_and_the_buyer_page_names_them(
    owner: Any, teammate: Any, plan: dict[str, Any], share_token: str
) -> None:
    person = Stakeholder.objects.create(
        deal_id=plan["deal"]["id"], name="Sam Okafor", email="sam@buyer.example", role="security"
    )
    row = buyer_row(plan)
    seller = signed_in(teammate)
    edited = seller.post(
        f"/plans/{plan['id']}/stakeholders/{person.id}/edit/",
        {
            "name": "Sam Okafor",
            "role": "security",
            "title": "CISO",
            "email": "sam@buyer.example",
            "owns_listed": "1",
            "owns": [str(row["id"])],
        },
    )
    assert edited.status_code == 302
    assert Milestone.objects.get(id=row["id"]).owner_person_id == person.id
    buyer = Client()
    buyer.post(f"/s/{share_token}/", BUYER)
    seen = buyer.get(f"/s/{share_token}/").content.decode()
    assert "Sam Okafor" in seen
    assert "sam@buyer.example" not in seen and "CISO" not in seen
    # Unticking every row (the list was on the form) leaves the person owning none.
    seller.post(
        f"/plans/{plan['id']}/stakeholders/{person.id}/edit/",
        {"name": "Sam Okafor", "owns_listed": "1"},
    )
    assert Milestone.objects.get(id=row["id"]).owner_person_id is None


def test_the_row_form_sets_the_owner_person(owner: Any, plan: dict[str, Any]) -> None:
    person = Stakeholder.objects.create(deal_id=plan["deal"]["id"], name="Sam Okafor")
    row = buyer_row(plan)
    seller = signed_in(owner)
    page = seller.get(f"/plans/{plan['id']}/").content.decode()
    assert f'<option value="{person.id}">Sam Okafor</option>' in page
    saved = seller.post(
        f"/plans/{plan['id']}/rows/{row['id']}/edit/",
        {"version": str(row["version"]), "owner_person_id": str(person.id)},
    )
    assert saved.status_code == 302
    assert Milestone.objects.get(id=row["id"]).owner_person_id == person.id


def test_removing_a_person_keeps_their_rows_without_an_owner_person(
    owner: Any, plan: dict[str, Any]
) -> None:
    person = Stakeholder.objects.create(deal_id=plan["deal"]["id"], name="Sam Okafor")
    row = buyer_row(plan)
    Milestone.objects.filter(id=row["id"]).update(owner_person=person)
    removed = signed_in(owner).post(f"/plans/{plan['id']}/stakeholders/{person.id}/remove/")
    assert removed.status_code == 302
    assert not Stakeholder.objects.exists()
    assert Milestone.objects.get(id=row["id"]).owner_person_id is None


def test_a_bad_email_is_shown_as_an_error_and_stores_nothing(
    owner: Any, plan: dict[str, Any]
) -> None:
    seller = signed_in(owner)
    answer = seller.post(
        f"/plans/{plan['id']}/stakeholders/add/", {"name": "Ann", "email": "nope"}, follow=True
    )
    assert "email" in answer.content.decode() and "not an email" in answer.content.decode()
    assert not Stakeholder.objects.exists()


def test_an_outsider_workspace_gets_404_on_every_people_form(
    owner: Any, outsider: Any, plan: dict[str, Any]
) -> None:
    person = Stakeholder.objects.create(deal_id=plan["deal"]["id"], name="Sam Okafor")
    outsider_client = signed_in(outsider)
    base = f"/plans/{plan['id']}/stakeholders"
    answers = [
        outsider_client.post(f"{base}/add/", {"name": "Mallory"}),
        outsider_client.post(f"{base}/{person.id}/edit/", {"name": "Mallory"}),
        outsider_client.post(f"{base}/{person.id}/remove/"),
    ]
    assert [a.status_code for a in answers] == [404, 404, 404]
    assert list(Stakeholder.objects.values_list("name", flat=True)) == ["Sam Okafor"]


def test_the_seller_sees_who_opened_the_plan_counted_once_a_day(
    owner: Any, plan: dict[str, Any], share_token: str
) -> None:
    seller = signed_in(owner)
    assert (
        "Nobody has opened the plan through a link yet."
        in seller.get(f"/plans/{plan['id']}/").content.decode()
    )
    buyer = Client()
    buyer.post(f"/s/{share_token}/", BUYER)
    for _ in range(3):
        buyer.get(f"/s/{share_token}/")
    assert BuyerVisit.objects.count() == 1
    page = seller.get(f"/plans/{plan['id']}/").content.decode()
    assert "Who on the buyer side opened the plan" in page
    assert "Priya Champion" in page and "1 day<" in page


def test_the_plan_page_lists_the_discovery_findings_as_questions(
    owner: Any, plan: dict[str, Any]
) -> None:
    page = signed_in(owner).get(f"/plans/{plan['id']}/").content.decode()
    assert 'id="findings"' in page
    assert "Who owns the security review at Northwind Health?" in page
    assert "Not yet known." in page

"""The buyer side of a plan through the seller's API: its people (stakeholders) and the rows
they own, who opened the plan through a link, and the discovery findings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from mutualplan.plans.engagement import (
    last_buyer_seen,
    last_buyer_seen_by_plan,
    with_last_buyer_seen,
)
from mutualplan.plans.models import (
    Activity,
    BuyerVisit,
    BuyerVisitor,
    Milestone,
    Plan,
    ShareLink,
    Stakeholder,
)
from mutualplan.plans.services.sharing import note_buyer_visit
from tests.conftest import BUYER, Api, new_plan


def buyer_row(plan: dict[str, Any]) -> dict[str, Any]:
    return next(m for m in plan["milestones"] if m["owner_side"] == "buyer")


def test_the_owner_adds_a_person_who_owns_a_row_and_the_row_names_them(
    owner_api: Api, plan: dict[str, Any]
) -> None:
    row = buyer_row(plan)
    added = owner_api.post(
        f"/plans/{plan['id']}/stakeholders",
        {
            "name": "Priya Shah",
            "email": "priya@buyer.example",
            "title": "Head of IT",
            "role": "champion",
            "owns": [row["id"]],
        },
    )
    assert added.status_code == 201, added.json_body
    assert added.json_body | {"id": 0, "created_at": ""} == {
        "id": 0,
        "name": "Priya Shah",
        "email": "priya@buyer.example",
        "title": "Head of IT",
        "team": "",
        "role": "champion",
        "owns": [row["id"]],
        "created_at": "",
    }
    seen = owner_api.get(f"/plans/{plan['id']}").json_body
    owned = next(m for m in seen["milestones"] if m["id"] == row["id"])
    assert owned["owner_person"]["name"] == "Priya Shah"
    assert owned["version"] == row["version"] + 1
    assert Stakeholder.objects.get().is_champion
    verbs = list(Activity.objects.filter(plan_id=plan["id"]).values_list("verb", flat=True))
    assert verbs[-2:] == ["milestone_updated", "stakeholder_added"]
    # Both sides read the owner's name in the feed, never the person's id.
    feed = Activity.objects.filter(plan_id=plan["id"], verb="milestone_updated").get()
    assert feed.summary == f"updated '{row['title']}': owner: Priya Shah"
    listed = owner_api.get(f"/plans/{plan['id']}/stakeholders").json_body
    assert [(p["name"], p["owns"]) for p in listed] == [("Priya Shah", [row["id"]])]


def test_a_teammate_edits_then_removes_a_person_and_their_rows_lose_the_owner_person(
    owner_api: Api, teammate_api: Api, plan: dict[str, Any]
) -> None:
    row = buyer_row(plan)
    person = owner_api.post(
        f"/plans/{plan['id']}/stakeholders", {"name": "Sam", "owns": [row["id"]]}
    ).json_body
    path = f"/plans/{plan['id']}/stakeholders/{person['id']}"
    edited = teammate_api.patch(path, {"name": "Sam Okafor", "role": "security"})
    assert edited.status_code == 200, edited.json_body
    assert (edited.json_body["name"], edited.json_body["role"], edited.json_body["owns"]) == (
        "Sam Okafor",
        "security",
        [row["id"]],
    )
    cleared = teammate_api.patch(path, {"owns": []})
    assert cleared.json_body["owns"] == []
    assert Milestone.objects.get(id=row["id"]).owner_person_id is None
    teammate_api.patch(path, {"owns": [row["id"]]})
    assert teammate_api.delete(path).status_code == 204
    assert not Stakeholder.objects.exists()
    assert Milestone.objects.get(id=row["id"]).owner_person_id is None
    summaries = list(Activity.objects.filter(plan_id=plan["id"]).values_list("summary", flat=True))
    assert "updated Sam Okafor: name, role" in summaries
    assert any(
        s.startswith("removed Sam Okafor from the people on the buyer side") for s in summaries
    )


def test_an_outsider_workspace_gets_404_for_people_visits_and_findings(
    owner_api: Api, outsider_api: Api, plan: dict[str, Any]
) -> None:
    person = owner_api.post(f"/plans/{plan['id']}/stakeholders", {"name": "Sam"}).json_body
    base = f"/plans/{plan['id']}"
    answers = [
        outsider_api.get(f"{base}/stakeholders"),
        outsider_api.post(f"{base}/stakeholders", {"name": "Mallory"}),
        outsider_api.patch(f"{base}/stakeholders/{person['id']}", {"name": "Mallory"}),
        outsider_api.delete(f"{base}/stakeholders/{person['id']}"),
        outsider_api.get(f"{base}/buyer-visits"),
        outsider_api.get(f"{base}/findings"),
    ]
    assert [a.status_code for a in answers] == [404] * 6
    assert list(Stakeholder.objects.values_list("name", flat=True)) == ["Sam"]


def test_a_person_or_row_of_another_plan_is_not_found_and_changes_nothing(
    owner_api: Api, plan: dict[str, Any]
) -> None:
    other = new_plan(owner_api)
    person = owner_api.post(f"/plans/{other['id']}/stakeholders", {"name": "Sam"}).json_body
    moved = owner_api.patch(f"/plans/{plan['id']}/stakeholders/{person['id']}", {"name": "X"})
    assert moved.status_code == 404
    refused = owner_api.post(
        f"/plans/{plan['id']}/stakeholders", {"name": "Ann", "owns": [buyer_row(other)["id"]]}
    )
    assert refused.status_code == 400
    assert refused.json_body["errors"][0]["field"] == "owns"
    assert list(Stakeholder.objects.values_list("name", flat=True)) == ["Sam"]


def test_a_bad_email_role_or_blank_name_is_refused_naming_the_field(
    owner_api: Api, plan: dict[str, Any]
) -> None:
    path = f"/plans/{plan['id']}/stakeholders"
    for body, field in (
        ({"name": "Ann", "email": "not-an-email"}, "email"),
        ({"name": "Ann", "role": "janitor"}, "role"),
        ({"name": "   "}, "name"),
    ):
        answer = owner_api.post(path, body)
        assert answer.status_code == 400, body
        assert [e["field"] for e in answer.json_body["errors"]] == [field], answer.json_body
    assert not Stakeholder.objects.exists()


def test_the_findings_are_the_questions_of_the_open_high_risk_rows(
    owner_api: Api, plan: dict[str, Any]
) -> None:
    risky = [m for m in plan["milestones"] if m["high_risk"]]
    findings = owner_api.get(f"/plans/{plan['id']}/findings").json_body
    assert len(findings) == 5 * len(risky) > 0
    first = findings[0]
    assert first["milestone_id"] == risky[0]["id"] and first["answer"] == "unknown"
    assert first["text"].endswith("at Northwind Health? Not yet known.")
    owner_api.patch(
        f"/plans/{plan['id']}/milestones/{risky[0]['id']}",
        {
            "version": risky[0]["version"],
            "risk_checklist": {
                k: "yes"
                for k in (
                    "owner_named",
                    "owner_briefed",
                    "turnaround_known",
                    "owner_available",
                    "champion_ran_before",
                )
            },
        },
    )
    after = owner_api.get(f"/plans/{plan['id']}/findings").json_body
    assert risky[0]["id"] not in {f["milestone_id"] for f in after}
    assert len(after) == len(findings) - 5


def test_a_named_reader_of_the_shared_api_is_counted_once_a_day(
    owner_api: Api, anonymous_api: Api, plan: dict[str, Any], share_token: str
) -> None:
    anonymous_api.get(f"/shared/{share_token}")  # unnamed: only the link's last use
    assert not BuyerVisit.objects.exists()
    query = f"?name=Priya%20Champion&email={BUYER['email']}"
    for _ in range(3):
        assert anonymous_api.get(f"/shared/{share_token}{query}").status_code == 200
    visits = owner_api.get(f"/plans/{plan['id']}/buyer-visits").json_body
    assert [(v["name"], v["email"], v["days_visited"], v["changes"]) for v in visits] == [
        ("Priya Champion", BUYER["email"], 1, 0)
    ]
    assert visits[0]["last_visit_on"] == timezone.localdate().isoformat()
    assert BuyerVisit.objects.count() == 1


def test_a_reader_with_a_bad_email_is_refused_and_nothing_is_counted(
    anonymous_api: Api, share_token: str
) -> None:
    answer = anonymous_api.get(f"/shared/{share_token}?name=Priya&email=not-an-email")
    assert answer.status_code == 400
    assert answer.json_body["errors"][0]["field"] == "email"
    assert not BuyerVisitor.objects.exists()


def test_visits_on_two_days_count_two_days(
    owner_api: Api, plan: dict[str, Any], share_token: str
) -> None:
    link = ShareLink.objects.get()
    note_buyer_visit(link, "Priya", BUYER["email"])
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    BuyerVisit.objects.update(day=yesterday)
    BuyerVisitor.objects.update(last_visit_on=yesterday)
    note_buyer_visit(link, "Priya", BUYER["email"])
    visits = owner_api.get(f"/plans/{plan['id']}/buyer-visits").json_body
    assert visits[0]["days_visited"] == 2


def test_a_day_already_counted_by_another_request_is_no_error_and_no_second_visit(
    plan: dict[str, Any], share_token: str
) -> None:
    link = ShareLink.objects.get()
    note_buyer_visit(link, "Priya", BUYER["email"])
    # Another tab counted the day while this one read the visitor as not yet counted.
    BuyerVisitor.objects.update(last_visit_on=None)
    note_buyer_visit(link, "Priya", BUYER["email"])
    assert BuyerVisit.objects.count() == 1


def test_last_buyer_seen_is_the_latest_visit_or_buyer_change_in_one_query_for_many_plans(
    owner_api: Api,
    anonymous_api: Api,
    plan: dict[str, Any],
    share_token: str,
    django_assert_num_queries: Any,
) -> None:
    others = [Plan.objects.get(id=new_plan(owner_api)["id"]) for _ in range(3)]
    stored = Plan.objects.get(id=plan["id"])
    assert last_buyer_seen(stored) is None
    note_buyer_visit(ShareLink.objects.get(), "Priya", BUYER["email"])
    visited = BuyerVisitor.objects.get().last_seen_at
    stored.refresh_from_db()
    assert last_buyer_seen(stored) == visited
    later = visited + dt.timedelta(hours=2)
    Plan.objects.filter(id=stored.id).update(last_buyer_activity_at=later)
    plans = list(Plan.objects.filter(id__in=[stored.id, *(p.id for p in others)]))
    with django_assert_num_queries(1):
        seen = last_buyer_seen_by_plan(plans)
    assert seen == {stored.id: later, **{p.id: None for p in others}}
    annotated = {p.id: p.buyer_seen_at for p in with_last_buyer_seen(Plan.objects.all())}
    assert annotated == seen

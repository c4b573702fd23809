"""The seller's versions pages: the versions sent, and what changed between two, in words."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from mutualplan.plans.actors import Actor
from mutualplan.plans.models import Milestone, Plan
from mutualplan.plans.services import versions


@pytest.fixture
def seller(owner: Any) -> Client:
    client = Client()
    client.force_login(owner)
    return client


def send(plan: dict[str, Any], owner: Any, note: str = "") -> None:
    versions.send_version(Plan.objects.get(id=plan["id"]), Actor.seller(owner), note)


def test_the_plan_page_links_to_the_versions_and_the_versions_page_lists_each_sent(
    seller: Client, owner: Any, plan: dict[str, Any]
) -> None:
    page = seller.get(f"/plans/{plan['id']}/").content.decode()
    assert f'href="/plans/{plan["id"]}/versions/"' in page
    empty = seller.get(f"/plans/{plan['id']}/versions/").content.decode()
    assert "No version has been sent yet" in empty
    send(plan, owner, "first clean version")
    send(plan, owner, "after the <b>security</b> call")
    page = seller.get(f"/plans/{plan['id']}/versions/").content.decode()
    assert "first clean version" in page and "Olivia Owner" in page
    assert "after the &lt;b&gt;security&lt;/b&gt; call" in page
    assert f'href="/plans/{plan["id"]}/versions/1/diff/2/"' in page


def test_the_diff_page_tells_each_change_in_words(
    seller: Client, owner: Any, plan: dict[str, Any]
) -> None:
    row = Milestone.objects.filter(plan_id=plan["id"]).order_by("position").first()
    assert row is not None
    Milestone.objects.filter(id=row.id).update(
        title="Security <review>", due_date=dt.date(2027, 1, 14)
    )
    send(plan, owner)
    Milestone.objects.filter(id=row.id).update(due_date=dt.date(2027, 1, 21), status="in_progress")
    send(plan, owner)
    response = seller.get(f"/plans/{plan['id']}/versions/1/diff/2/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "2 changes" in page
    assert "Security &lt;review&gt; moved 7 days later, Jan 14 → Jan 21" in page
    assert "Security &lt;review&gt;: Not started → In progress" in page
    same = seller.get(f"/plans/{plan['id']}/versions/2/diff/2/").content.decode()
    assert "No changes" in same


def test_comparing_two_chosen_versions_goes_to_their_diff(
    seller: Client, owner: Any, plan: dict[str, Any]
) -> None:
    send(plan, owner)
    send(plan, owner)
    response = seller.get(f"/plans/{plan['id']}/versions/?a=2&b=1")
    assert response.status_code == 302
    assert response["Location"] == f"/plans/{plan['id']}/versions/2/diff/1/"
    assert seller.get(f"/plans/{plan['id']}/versions/?a=x&b=99999999999").status_code == 200


def test_an_unknown_version_or_someone_elses_plan_is_not_found_and_a_visitor_must_sign_in(
    seller: Client, owner: Any, outsider: Any, plan: dict[str, Any]
) -> None:
    send(plan, owner)
    assert seller.get(f"/plans/{plan['id']}/versions/1/diff/2/").status_code == 404
    assert seller.get(f"/plans/{plan['id']}/versions/1/diff/99999999999/").status_code == 404
    other = Client()
    other.force_login(outsider)
    assert other.get(f"/plans/{plan['id']}/versions/").status_code == 404
    assert other.get(f"/plans/{plan['id']}/versions/1/diff/1/").status_code == 404
    visitor = Client().get(f"/plans/{plan['id']}/versions/")
    assert visitor.status_code == 302 and "/login/" in visitor["Location"]


def test_the_time_a_version_was_sent_is_shown_in_the_workspaces_time_zone(
    seller: Client, owner: Any, workspace: Any, plan: dict[str, Any]
) -> None:
    from mutualplan.plans.models import PlanVersion

    workspace.time_zone = "Asia/Tokyo"
    workspace.save()
    send(plan, owner)
    PlanVersion.objects.update(created_at=dt.datetime(2027, 1, 14, 20, 0, tzinfo=dt.UTC))
    page = seller.get(f"/plans/{plan['id']}/versions/").content.decode()
    assert "Jan 15, 2027, 05:00" in page
    assert 'datetime="2027-01-15T05:00:00+09:00"' in page

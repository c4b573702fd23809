"""Escalations, slip diagnostics and "introduce a plan now" on the seller's pages and API
(the buyer side shows none of it: tests/web/test_what_the_buyer_sees.py)."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mutualplan.plans.models import Deal, Milestone, Plan, Slip, Stakeholder
from mutualplan.workspaces.models import Workspace
from tests.conftest import Api, seller_plan


@pytest.fixture
def seller(owner: Any) -> Client:
    client = Client()
    client.force_login(owner)
    return client


def stale_buyer_step(plan: dict[str, Any]) -> Milestone:
    """The plan's first buyer row, silent for 20 days, owned by a named person."""
    long_ago = timezone.now() - dt.timedelta(days=20)
    Plan.objects.filter(id=plan["id"]).update(created_at=long_ago - dt.timedelta(days=10))
    stored = Plan.objects.get(id=plan["id"])
    sam = Stakeholder.objects.create(deal=stored.deal, name="Sam <Lee>", team="IT Security")
    row = Milestone.objects.filter(plan_id=plan["id"], owner_side="buyer").order_by("position")[0]
    Milestone.objects.filter(plan_id=plan["id"]).exclude(id=row.id).update(
        status_updated_at=timezone.now()
    )
    Milestone.objects.filter(id=row.id).update(
        status="in_progress",
        status_updated_at=long_ago,
        owner_team="IT Security",
        owner_person=sam,
        due_date=dt.date(2026, 12, 15),
    )
    return Milestone.objects.get(id=row.id)


def champion(plan: dict[str, Any]) -> Stakeholder:
    deal = Plan.objects.get(id=plan["id"]).deal
    return Stakeholder.objects.create(
        deal=deal, name="Priya Shah", email="priya@northwind.example", role="champion"
    )


def test_a_stale_buyer_step_shows_an_escalation_with_an_editable_draft_on_the_plan_page(
    seller: Client, owner: Any
) -> None:
    plan = seller_plan(owner)
    row = stale_buyer_step(plan)
    champion(plan)
    page = seller.get(f"/plans/{plan['id']}/").content.decode()
    assert f'data-escalation="{row.id}"' in page
    assert "escalate to <strong>Priya Shah</strong> (champion)" in page
    # The owner's name is HTML: escaped on the page, never markup.
    assert "IT Security (Sam &lt;Lee&gt;)" in page and "Sam <Lee>" not in page
    assert 'name="to" type="email" value="priya@northwind.example"' in page
    assert "Dec 15, 2026" in page and "Send escalation" in page
    assert "or write it in your mail client" in page
    link = page.split('<a href="mailto:', 1)[1].split('"', 1)[0]
    query = parse_qs(urlsplit("mailto:" + html.unescape(link)).query)
    assert f"'{row.title}'" in query["body"][0] and "December 15, 2026" in query["body"][0]
    assert query["body"][0].startswith("Hi Priya,")


def test_a_plan_with_no_stale_buyer_step_says_so(seller: Client, owner: Any) -> None:
    plan = seller_plan(owner)
    page = seller.get(f"/plans/{plan['id']}/").content.decode()
    assert "No escalations: every open buyer step" in page


def test_the_escalations_api_gives_the_draft_to_the_owner_and_nothing_to_an_outsider(
    owner: Any, owner_api: Api, outsider_api: Api
) -> None:
    plan = seller_plan(owner)
    row = stale_buyer_step(plan)
    answer = owner_api.get(f"/plans/{plan['id']}/escalations")
    assert answer.status_code == 200
    [found] = answer.json_body["escalations"]
    assert (found["milestone_id"], found["owner"], found["escalate_to"]) == (
        row.id,
        "IT Security (Sam <Lee>)",
        "your champion",
    )
    assert found["due_date"] == "2026-12-15" and found["days_silent"] == 20
    assert found["mailto"].startswith("mailto:?subject=")
    assert outsider_api.get(f"/plans/{plan['id']}/escalations").status_code == 404
    assert outsider_api.get(f"/plans/{plan['id']}/slips/summary").status_code == 404


def _slips(plan: dict[str, Any]) -> None:
    stored = Plan.objects.get(id=plan["id"])
    buyer = Milestone.objects.filter(plan=stored, owner_side="buyer")[0]
    seller_row = Milestone.objects.filter(plan=stored, owner_side="seller")[0]
    Plan.objects.filter(id=stored.id).update(
        baseline_target_date=stored.target_date,
        target_date=stored.target_date + dt.timedelta(days=7),  # type: ignore[operator]
    )
    for row, days, reason in (
        (buyer, 10, "legal_or_security_delay"),
        (buyer, 5, ""),
        (seller_row, 3, "seller_side_delay"),
        (None, 7, "stakeholder_not_engaged"),
    ):
        Slip.objects.create(
            plan=stored,
            milestone=row,
            milestone_title=row.title if row else "",
            days=days,
            reason_category=reason,
            reason_text="<b>clause</b>" if reason else "",
            actor_kind="seller",
        )


def test_the_plan_page_shows_days_slipped_by_reason_and_side_and_flags_a_slip_without_reason(
    seller: Client, owner: Any
) -> None:
    plan = seller_plan(owner)
    _slips(plan)
    page = seller.get(f"/plans/{plan['id']}/").content.decode()
    assert "25 days slipped</strong> in 4 moves" in page
    assert "1 without a reason" in page
    assert 'data-reason="legal_or_security_delay"><td>Legal or security delay</td>' in page
    assert 'data-side="buyer"><td>Buyer side</td><td class="num">2</td><td class="num">15' in page
    assert 'data-side="target"><td>Target date</td>' in page
    assert page.count("data-unexplained") == 1 and 'data-health-code="unexplained_slip"' in page
    assert "(+7 days)" in page
    assert "&lt;b&gt;clause&lt;/b&gt;" in page and "<b>clause</b>" not in page


def test_the_slip_summary_api_gives_totals_groups_and_flags(owner: Any, owner_api: Api) -> None:
    plan = seller_plan(owner)
    _slips(plan)
    summary = owner_api.get(f"/plans/{plan['id']}/slips/summary").json_body
    assert (summary["count"], summary["total_days"], summary["unexplained"]) == (4, 25, 1)
    assert summary["target_days_moved"] == 7
    assert {g["key"]: g["days"] for g in summary["by_owner_side"]} == {
        "buyer": 15,
        "target": 7,
        "seller": 3,
    }
    assert [s["unexplained"] for s in summary["slips"]] == [False, True, False, False]
    # The plain list is unchanged.
    assert len(owner_api.get(f"/plans/{plan['id']}/slips").json_body) == 4


def _deal(workspace: Workspace, name: str, stage: str) -> Deal:
    return Deal.objects.create(
        workspace=workspace,
        account_name=name,
        account_type=workspace.account_types[0],
        stage=stage,
        amount=48000,
    )


def test_a_deal_without_a_plan_at_an_introduce_stage_is_listed_to_introduce_a_plan_now(
    seller: Client, owner: Any, workspace: Workspace
) -> None:
    seller_plan(owner)
    contoso = _deal(workspace, "Contoso <Labs>", "demo")
    _deal(workspace, "Fabrikam", "negotiation")
    page = seller.get("/").content.decode()
    assert "Introduce a plan now" in page
    assert f'href="/plans/new/?deal={contoso.id}"' in page
    assert "Contoso &lt;Labs&gt;" in page and "Fabrikam" not in page


def test_the_introduce_link_prefills_the_plan_and_gives_that_deal_its_plan(
    seller: Client, workspace: Workspace
) -> None:
    contoso = _deal(workspace, "Contoso Labs", "business_case")
    page = seller.get(f"/plans/new/?deal={contoso.id}").content.decode()
    assert 'value="Contoso Labs"' in page and 'value="business_case" selected' in page
    assert f'name="deal" value="{contoso.id}"' in page
    form = {
        "deal": str(contoso.id),
        "action": "create",
        "account_name": "Contoso Labs",
        "account_type": workspace.account_types[0],
        "stage": "business_case",
        "amount": "48000",
        "currency": "USD",
        "target_date": "2027-03-01",
        "template": "standard",
    }
    created = seller.post("/plans/new/", form)
    assert created.status_code == 302
    assert Deal.objects.filter(workspace=workspace).count() == 1
    again = seller.post("/plans/new/", form)
    assert "this deal already has a plan" in again.content.decode()
    assert Deal.objects.filter(workspace=workspace).count() == 1
    assert Plan.objects.get(deal=contoso).target_date == dt.date(2027, 3, 1)
    assert "Introduce a plan now" not in seller.get("/").content.decode()
    # Another workspace's deal, or a nonsense id, prefills nothing.
    for bad in ("999999", "abc", "1" * 40):
        assert seller.get(f"/plans/new/?deal={bad}").status_code == 200


def test_a_plan_at_verbal_commitment_without_confirmed_dates_is_flagged_introduced_late(
    seller: Client, owner: Any
) -> None:
    plan = seller_plan(owner)
    Deal.objects.filter(plan__id=plan["id"]).update(stage="verbal_commit")
    assert "data-introduced-late" in seller.get("/").content.decode()
    Plan.objects.filter(id=plan["id"]).update(confirmed_at=timezone.now())
    assert "data-introduced-late" not in seller.get("/").content.decode()


def test_the_dashboard_costs_the_same_queries_with_1_or_12_deals_to_introduce(
    seller: Client, owner: Any, workspace: Workspace
) -> None:
    seller_plan(owner)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert seller.get("/").status_code == 200
        return len(ctx.captured_queries)

    _deal(workspace, "Deal 0", "demo")
    seller.get("/")
    few = count()
    for n in range(1, 12):
        _deal(workspace, f"Deal {n}", "demo")
    assert count() == few
    assert "10+" in seller.get("/").content.decode()

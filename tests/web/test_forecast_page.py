"""The Forecast card of the seller's plan page, and each plan's top next best action on the
dashboard; never on the buyer's page."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from mutualplan.plans.models import Milestone, Plan
from tests.conftest import seller_plan
from tests.web.test_escalations import stale_buyer_step


@pytest.fixture
def seller(owner: Any) -> Client:
    client = Client()
    client.force_login(owner)
    return client


def card(page: str) -> str:
    found = re.search(r'<section class="card forecast-card".*?</section>', page, re.S)
    assert found, "no forecast card"
    return html.unescape(found.group(0))


def test_the_plan_page_shows_the_forecast_card(seller: Client, plan: dict[str, Any]) -> None:
    page = seller.get(f"/plans/{plan['id']}/").content.decode()
    text = card(page)
    assert re.search(r"\d+ %</strong> chance of finishing by the target", text)
    assert re.search(r"\d+ %</strong> by the quarter end", text)
    for label in ("<dt>P50</dt>", "<dt>P80</dt>", "<dt>P90</dt>"):
        assert label in text
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="fan-chart" role="img"' in text
    assert "Forecast finish of the plan for Northwind Health" in text
    assert "Most critical remaining steps" in text
    assert text.count("data-critical-step=") == 3
    assert "the planned turnaround (no history yet)" in text
    assert "Next best actions" in text
    assert "Get the champion's confirmation" in text
    assert re.search(r"\+\d+\.\d pp</span> <strong>", text)
    assert "2000 samples" in text


def test_a_stale_buyer_step_is_to_be_escalated_on_the_plan_page_and_the_dashboard(
    seller: Client, owner: Any
) -> None:
    plan = seller_plan(owner)
    row = stale_buyer_step(plan)
    text = card(seller.get(f"/plans/{plan['id']}/").content.decode())
    assert f"Escalate '{row.title}'" in text
    assert "no update from the buyer side for 20 days" in text
    dashboard = html.unescape(seller.get("/").content.decode())
    first = re.search(r'<td class="c-action"><span data-next-action="([a-z_]+)"', dashboard)
    assert first is not None
    assert "Next best action" in dashboard
    assert " pp</span>" in dashboard


def test_the_dashboards_top_action_is_the_plan_pages_first(seller: Client, owner: Any) -> None:
    plan = seller_plan(owner)
    stale_buyer_step(plan)
    text = card(seller.get(f"/plans/{plan['id']}/").content.decode())
    first = re.search(
        r'data-next-action="([a-z_]+)"><span class="effect">[^<]*</span> <strong>([^<]*)', text
    )
    assert first is not None
    dashboard = html.unescape(seller.get("/").content.decode())
    assert f'data-next-action="{first.group(1)}"' in dashboard
    assert first.group(2) in dashboard


def test_a_won_plan_shows_no_forecast_and_no_action(seller: Client, plan: dict[str, Any]) -> None:
    Plan.objects.filter(id=plan["id"]).update(status="won")
    page = seller.get(f"/plans/{plan['id']}/").content.decode()
    assert "forecast-card" not in page and "fan-chart" not in page
    dashboard = seller.get("/").content.decode()
    assert "data-next-action" not in dashboard


def test_a_plan_with_no_steps_says_to_add_them_and_the_dashboard_shows_no_action(
    seller: Client, plan: dict[str, Any]
) -> None:
    Milestone.objects.filter(plan_id=plan["id"]).delete()
    text = card(seller.get(f"/plans/{plan['id']}/").content.decode())
    assert f"Plan {plan['id']} has no steps yet: add them to get a forecast." in text
    assert "fan-chart" not in text and "Next best actions" not in text
    assert "data-next-action" not in seller.get("/").content.decode()


def test_the_buyer_page_holds_no_forecast(
    seller: Client, plan: dict[str, Any], share_token: str
) -> None:
    assert "forecast-card" in seller.get(f"/plans/{plan['id']}/").content.decode()
    buyer = Client().get(f"/s/{share_token}/")
    assert buyer.status_code == 200
    page = buyer.content.decode().lower()
    for word in ("forecast", "fan-chart", "next best action", "pp:", "longest path", "p80"):
        assert word not in page


def dashboard_queries(seller: Client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert seller.get("/").status_code == 200
    return len(ctx.captured_queries)


def test_the_dashboards_actions_cost_the_same_queries_for_2_and_20_plans(
    seller: Client, owner: Any
) -> None:
    for _ in range(2):
        stale_buyer_step(seller_plan(owner))
    dashboard_queries(seller)  # the first view computes the stored codes and the history
    few = dashboard_queries(seller)
    for _ in range(18):
        stale_buyer_step(seller_plan(owner))
    dashboard_queries(seller)
    assert dashboard_queries(seller) == few
    assert seller.get("/").content.decode().count('<td class="c-action">') == 20


def test_the_plan_page_with_its_forecast_costs_the_same_queries_for_a_short_and_a_long_plan(
    seller: Client, owner: Any
) -> None:
    from mutualplan.plans.models import Milestone

    plan = seller_plan(owner)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert seller.get(f"/plans/{plan['id']}/").status_code == 200
        return len(ctx.captured_queries)

    count()
    few = count()
    stored = Plan.objects.get(id=plan["id"])
    Milestone.objects.bulk_create(
        Milestone(plan=stored, title=f"Step {i}", owner_side="buyer", position=100 + i)
        for i in range(30)
    )
    count()
    assert count() == few


def test_the_plan_email_to_the_buyer_holds_no_forecast(
    seller: Client, plan: dict[str, Any]
) -> None:
    from mutualplan.mail.plan_email import plan_email

    assert "forecast-card" in seller.get(f"/plans/{plan['id']}/").content.decode()
    stored = Plan.objects.select_related("deal", "workspace").get(id=plan["id"])
    email = plan_email(stored, "priya@buyer.example", "Here is our plan", "https://x/s/tok/")
    html_body = str(email.alternatives[0][0])
    for text in (email.body.lower(), html_body.lower(), email.subject.lower()):
        assert "acme software" in text  # not vacuous: the email about the plan
        for word in ("forecast", "next best action", "pp:", "longest path", "p80", "criticality"):
            assert word not in text

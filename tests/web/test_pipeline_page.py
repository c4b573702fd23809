"""The pipeline forecast page (/forecast/) and its CSV download."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from mutualplan.core.vocab import PlanStatus
from mutualplan.plans.models import Milestone
from tests.pipeline_deals import pipeline_deal


@pytest.fixture
def seller(owner: Any) -> Client:
    client = Client()
    client.force_login(owner)
    return client


@pytest.fixture
def deals(owner: Any, teammate: Any) -> dict[str, Any]:
    return {
        "northwind": pipeline_deal(owner, "Northwind", 120_000, close_in_days=10),
        "contoso": pipeline_deal(teammate, "Contoso", 30_000, account_type="smb"),
        "initech": pipeline_deal(owner, "Initech", 50_000, currency="EUR"),
        "won": pipeline_deal(owner, "Won Co", 70_000, status=PlanStatus.WON, close_in_days=-9),
    }


def test_the_forecast_page_shows_quarters_breakdowns_and_late_deals(
    seller: Client, deals: dict[str, Any]
) -> None:
    response = seller.get("/forecast/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Pipeline forecast</h1>" in html
    assert 'href="/forecast/"' in html  # the main nav's link
    assert "Expected amount closing per quarter (USD)" in html
    assert "Expected amount closing per quarter (EUR)" in html
    assert html.count('role="img"') >= 2  # one chart per currency
    assert "By owner: expected amount (USD)" in html and "Theo Teammate" in html
    assert "By account type: expected amount (USD)" in html and ">smb<" in html
    northwind = deals["northwind"].pk
    assert f'<tr data-plan="{northwind}"><th scope="row"><a href="/plans/{northwind}/">' in html
    assert "Win rates used" in html
    assert "Won Co" not in html  # a won deal is not in the pipeline


def test_the_forecast_page_filters_by_owner_account_type_and_quarters(
    seller: Client, teammate: Any, deals: dict[str, Any]
) -> None:
    html = seller.get(f"/forecast/?owner={teammate.pk}&quarters=2").content.decode()
    assert "Northwind" not in html  # Olivia's deal, in the late list too
    assert "1 open deal " in html  # only Theo's Contoso, in USD
    assert "Expected amount closing per quarter (EUR)" not in html
    assert html.count('<tr><th scope="row">20') + html.count('<tr><th scope="row">FY') == 2
    smb = seller.get("/forecast/?account_type=smb").content.decode()
    assert "1 open deal " in smb and "Northwind" not in smb
    # A value the page never offers is ignored, not an error.
    odd = seller.get("/forecast/?quarters=99&owner=x")
    assert odd.status_code == 200 and odd.content.decode().count('class="quarter"') == 4 * 2


def test_the_forecast_page_says_when_no_deal_has_closed(seller: Client, owner: Any) -> None:
    pipeline_deal(owner, "Northwind", 10_000)
    html = seller.get("/forecast/").content.decode()
    assert "data-no-win-history" in html
    assert "probability of finishing the plan" in html


def test_the_forecast_page_with_no_open_plan_says_so(seller: Client) -> None:
    html = seller.get("/forecast/").content.decode()
    assert "No open plans" in html


def test_the_forecast_page_names_the_plans_left_out_for_having_no_steps(
    seller: Client, owner: Any, deals: dict[str, Any]
) -> None:
    empty = pipeline_deal(owner, "Empty Co", 500_000)
    Milestone.objects.filter(plan=empty).delete()
    page = seller.get("/forecast/").content.decode()
    assert "Left out: no steps yet" in page
    assert f'<li data-plan="{empty.pk}"><a href="/plans/{empty.pk}/">Empty Co</a></li>' in page


def test_the_forecast_page_never_shows_another_workspaces_deals(
    outsider: Any, deals: dict[str, Any]
) -> None:
    client = Client()
    client.force_login(outsider)
    html = client.get("/forecast/").content.decode()
    assert "Northwind" not in html and "Contoso" not in html and "No open plans" in html


def test_the_forecast_page_needs_a_signed_in_seller(client: Client, db: Any) -> None:
    for url in ("/forecast/", "/forecast/pipeline.csv"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_forecast_csv_holds_the_same_tables_safe_from_formula_injection(
    seller: Client, owner: Any, deals: dict[str, Any]
) -> None:
    pipeline_deal(owner, '=HYPERLINK("http://evil.example")', 1_000, close_in_days=1)
    response = seller.get("/forecast/pipeline.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    tables = {r["Table"] for r in rows}
    assert tables == {"quarter", "owner", "account type", "late deal"}
    quarters = [r for r in rows if r["Table"] == "quarter" and r["Currency"] == "USD"]
    assert len(quarters) == 5  # four quarters and all of them
    page = seller.get("/forecast/").content.decode()
    first = quarters[0]
    assert f'<tr><th scope="row">{first["Quarter"]}</th>' in page
    late = {r["Name"]: r for r in rows if r["Table"] == "late deal"}
    assert '\'=HYPERLINK("http://evil.example")' in late
    assert not any(
        value.startswith(("=", "+", "-", "@")) for r in rows for value in r.values() if value
    )
    assert late["Northwind"]["Plan"] == str(deals["northwind"].pk)
    assert int(late["Northwind"]["Gap days (P50)"]) > 0


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_forecast_page_costs_the_same_queries_for_2_or_10_plans(
    seller: Client, owner: Any
) -> None:
    for n in range(2):
        pipeline_deal(owner, f"Account {n}", 1_000 * (n + 1))
    with_two = _queries(seller, "/forecast/")
    for n in range(2, 10):
        pipeline_deal(owner, f"Account {n}", 1_000 * (n + 1))
    assert _queries(seller, "/forecast/") == with_two
    assert _queries(seller, "/forecast/pipeline.csv") <= with_two

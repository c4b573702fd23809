"""GET /api/v1/forecast: the pipeline forecast across the workspace's open plans."""

from __future__ import annotations

from typing import Any

import pytest

from mutualplan.core.vocab import PlanStatus
from mutualplan.plans.models import Milestone
from tests.conftest import Api, make_plan
from tests.pipeline_deals import pipeline_deal


@pytest.fixture
def deals(owner: Any, teammate: Any) -> dict[str, Any]:
    return {
        "northwind": pipeline_deal(owner, "Northwind", 120_000, close_in_days=10),
        "contoso": pipeline_deal(teammate, "Contoso", 30_000, account_type="smb"),
        "initech": pipeline_deal(owner, "Initech", 50_000, currency="EUR"),
        "won": pipeline_deal(owner, "Won Co", 70_000, status=PlanStatus.WON, close_in_days=-20),
        "lost": pipeline_deal(owner, "Lost Co", 9_000, status=PlanStatus.LOST, close_in_days=-5),
    }


def test_the_forecast_gives_each_quarter_its_expected_amount_and_band(
    owner_api: Api, deals: dict[str, Any]
) -> None:
    response = owner_api.get("/forecast")
    assert response.status_code == 200, response.json_body
    body = response.json_body
    assert body["currency"] == "USD"
    assert body["deals"] == 2  # Northwind and Contoso: won, lost and EUR deals apart
    assert body["open_amount"] == 150_000
    assert len(body["quarters"]) == 4
    first = body["quarters"][0]
    assert set(first) == {
        "quarter",
        "start",
        "end",
        "expected_amount",
        "p10",
        "p90",
        "deals",
        "expected_deals",
    }
    assert first["start"] == body["as_of"]
    for q in body["quarters"]:
        assert 0 <= q["p10"] <= q["p90"] <= 150_000
        assert 0 <= q["expected_amount"] <= 150_000
    assert sum(q["expected_amount"] for q in body["quarters"]) == pytest.approx(
        body["total"]["expected_amount"], abs=0.05
    )
    assert body["has_win_history"] is True
    assert body["win_rates"]["won"] == 1 and body["win_rates"]["lost"] == 1


def test_the_forecast_keeps_other_currencies_apart(owner_api: Api, deals: dict[str, Any]) -> None:
    body = owner_api.get("/forecast").json_body
    [eur] = body["other_currencies"]
    assert eur["currency"] == "EUR" and eur["deals"] == 1 and eur["open_amount"] == 50_000


def test_the_forecast_breaks_the_amount_down_by_owner_and_account_type(
    owner_api: Api, deals: dict[str, Any]
) -> None:
    body = owner_api.get("/forecast").json_body
    owners = {b["name"]: b["deals"] for b in body["by_owner"]}
    assert owners == {"Olivia Owner": 1, "Theo Teammate": 1}
    types = {b["name"]: b for b in body["by_account_type"]}
    assert set(types) == {"enterprise", "smb"}
    for row in body["by_owner"]:
        assert len(row["expected_by_quarter"]) == 4


def test_the_forecast_lists_deals_the_plan_says_close_after_the_crm_date(
    owner_api: Api, deals: dict[str, Any]
) -> None:
    body = owner_api.get("/forecast").json_body
    late = {d["account_name"]: d for d in body["late_deals"]}
    # Northwind's CRM says 10 days from now; its plan (target in 90 days) cannot finish by then.
    northwind = late["Northwind"]
    assert northwind["plan_id"] == deals["northwind"].pk
    assert northwind["gap_days"] > 0
    assert northwind["gap_p80_days"] >= northwind["gap_days"]
    gaps = [d["gap_days"] for d in body["late_deals"]]
    assert gaps == sorted(gaps, reverse=True)


def test_the_forecast_filters_by_owner_and_account_type(
    owner_api: Api, deals: dict[str, Any]
) -> None:
    mine = owner_api.get("/forecast?owner=OLIVIA@acme.example").json_body
    assert mine["deals"] == 1 and mine["filters"]["owner"] == "OLIVIA@acme.example"
    assert [b["name"] for b in mine["by_owner"]] == ["Olivia Owner"]
    smb = owner_api.get("/forecast?account_type=smb&quarters=2").json_body
    assert smb["deals"] == 1 and [b["name"] for b in smb["by_account_type"]] == ["smb"]
    assert len(smb["quarters"]) == 2 and smb["other_currencies"] == []
    # Empty values filter nothing, as a form's "anyone" sends them.
    everyone = owner_api.get("/forecast?owner=&account_type=").json_body
    assert everyone["deals"] == 2 and everyone["filters"] == {"owner": None, "account_type": None}


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("quarters=0", "quarters", "greater than or equal to 1"),
        ("quarters=9", "quarters", "less than or equal to 8"),
        ("quarters=two", "quarters", "integer"),
        ("owner=nobody@acme.example", "owner", "no seller of this workspace"),
        ("account_type=galactic", "account_type", "not an account type of this workspace"),
    ],
)
def test_bad_filters_are_refused_with_the_field_and_why(
    owner_api: Api, deals: dict[str, Any], query: str, field: str, message: str
) -> None:
    response = owner_api.get(f"/forecast?{query}")
    assert response.status_code == 400
    [error] = response.json_body["errors"]
    assert error["field"] == field
    assert message in error["message"]


def test_paused_plans_and_drafts_with_a_target_count_but_drafts_without_one_do_not(
    owner_api: Api, owner: Any
) -> None:
    pipeline_deal(owner, "Paused Co", 1_000, status=PlanStatus.PAUSED)
    pipeline_deal(owner, "Dated Draft", 2_000, status=PlanStatus.DRAFT)
    undated = make_plan(owner, target_offset=None)
    assert undated.status == PlanStatus.DRAFT and undated.target_date is None
    body = owner_api.get("/forecast").json_body
    assert body["deals"] == 2 and body["open_amount"] == 3_000


def test_a_plan_with_no_steps_is_left_out_of_the_amounts_and_named(
    owner_api: Api, owner: Any, deals: dict[str, Any]
) -> None:
    before = owner_api.get("/forecast").json_body
    empty = pipeline_deal(owner, "Empty Co", 500_000)
    Milestone.objects.filter(plan=empty).delete()
    body = owner_api.get("/forecast").json_body
    assert body["quarters"] == before["quarters"] and body["deals"] == before["deals"]
    assert body["plans_without_steps"] == [{"plan_id": empty.pk, "account_name": "Empty Co"}]
    assert before["plans_without_steps"] == []


def test_another_workspaces_deals_are_never_counted(
    outsider_api: Api, outsider: Any, owner: Any, deals: dict[str, Any]
) -> None:
    pipeline_deal(outsider, "Globex Own", 5_000, workspace=outsider.memberships.get().workspace)
    body = outsider_api.get("/forecast").json_body
    assert body["deals"] == 1 and body["open_amount"] == 5_000
    assert body["other_currencies"] == []
    assert {d["account_name"] for d in body["late_deals"]} <= {"Globex Own"}
    # The other workspace's seller is no owner here.
    refused = outsider_api.get("/forecast?owner=olivia@acme.example")
    assert refused.status_code == 400


def test_with_no_closed_deal_the_chance_is_the_plan_finishing_and_says_so(
    owner_api: Api, owner: Any
) -> None:
    pipeline_deal(owner, "Northwind", 10_000)
    body = owner_api.get("/forecast").json_body
    assert body["has_win_history"] is False
    assert "no deal has closed yet" in body["chance"]
    assert body["win_rates"]["workspace_rate"] is None


def test_a_workspace_with_no_open_plan_gets_empty_quarters(owner_api: Api, owner: Any) -> None:
    body = owner_api.get("/forecast").json_body
    assert body["deals"] == 0 and body["currency"] is None
    assert [q["expected_amount"] for q in body["quarters"]] == [0, 0, 0, 0]


def test_the_forecast_needs_an_api_token(anonymous_api: Api) -> None:
    response = anonymous_api.get("/forecast")
    assert response.status_code == 401
    assert "API token" in response.json_body["detail"]


def test_the_forecast_costs_a_fixed_number_of_queries_for_2_or_10_plans(
    owner_api: Api, owner: Any, django_assert_max_num_queries: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from mutualplan.plans.pipeline import workspace_pipeline

    workspace = owner.memberships.get().workspace
    for n in range(2):
        pipeline_deal(owner, f"Account {n}", 1_000)
    with CaptureQueriesContext(connection) as two:
        assert len(workspace_pipeline(workspace).forecast.main.quarters) == 4  # type: ignore[union-attr]
    for n in range(2, 10):
        pipeline_deal(owner, f"Account {n}", 1_000)
    with django_assert_max_num_queries(len(two.captured_queries)):
        assert workspace_pipeline(workspace).forecast.main.deals == 10  # type: ignore[union-attr]
    with django_assert_max_num_queries(len(two.captured_queries) + 1):  # the token
        assert owner_api.get("/forecast").json_body["deals"] == 10


def test_two_owners_with_the_same_name_are_never_added_together(
    owner_api: Api, owner: Any, workspace: Any
) -> None:
    from tests.conftest import make_seller

    namesake = make_seller("olivia.b@acme.example", workspace, "Olivia Owner")
    pipeline_deal(owner, "Northwind", 1_000)
    pipeline_deal(namesake, "Contoso", 2_000)
    body = owner_api.get("/forecast").json_body
    assert sorted(b["name"] for b in body["by_owner"]) == [
        "Olivia Owner <olivia.b@acme.example>",
        "Olivia Owner <olivia@acme.example>",
    ]

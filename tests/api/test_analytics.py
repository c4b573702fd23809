"""The analytics tables through the API: step durations and deal cycles as known on a day."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mutualplan.core.cycles import cycle_table
from mutualplan.core.durations import duration_table
from mutualplan.plans.analytics import cycle_dict, duration_dict
from mutualplan.plans.learning import deal_outcomes, step_columns
from mutualplan.workspaces.models import Workspace
from tests.analytics.history import START, history_plan, slip
from tests.conftest import Api

AS_OF = START + dt.timedelta(days=40)


def small_history(owner: Any) -> None:
    history_plan(owner, "enterprise", done={"business_case": 6, "security_review": 30})
    history_plan(owner, "enterprise", done={"business_case": 10})
    plan = history_plan(owner, "smb", done={"business_case": 4})
    slip(plan, "business_case", 3, "competing_priorities", START + dt.timedelta(days=2))
    history_plan(owner, "smb", status="won", closed=START + dt.timedelta(days=30))
    history_plan(owner, "smb", status="lost", closed=START + dt.timedelta(days=20))


def test_the_durations_answer_the_table_a_direct_computation_gives(
    owner: Any, owner_api: Api, workspace: Workspace
) -> None:
    small_history(owner)
    response = owner_api.get(f"/analytics/durations?as_of={AS_OF}")
    assert response.status_code == 200, response.json_body
    body = response.json_body
    assert body["as_of"] == AS_OF.isoformat() and body["account_type"] is None
    assert body["account_types"] == ["enterprise", "smb"]
    table = duration_table(step_columns(workspace, AS_OF))
    assert body["rows"] == [duration_dict(r) for r in table]
    first = body["rows"][0]
    assert (first["step_type"], first["step_label"], first["account_type"]) == (
        "business_case",
        "Business case",
        None,
    )
    # 4, 6 and 10 days (and a won and a lost plan whose business case is open, censored).
    assert first["observations"] == 5 and first["finished"] == 3
    assert first["median"]["days"] == 10 and first["median"]["rests_on"] == 5
    assert first["top_reasons"] == [{"reason": "competing_priorities", "slips": 1}]
    smb = next(r for r in body["rows"] if r["account_type"] == "smb")
    assert smb["median"]["shrunk"] is True


def test_the_account_type_keeps_each_step_types_overall_row_and_that_account_type(
    owner: Any, owner_api: Api
) -> None:
    small_history(owner)
    body = owner_api.get(f"/analytics/durations?as_of={AS_OF}&account_type=smb").json_body
    assert {r["account_type"] for r in body["rows"]} == {None, "smb"}
    assert body["account_type"] == "smb"


def test_the_cycles_answer_the_table_a_direct_computation_gives(
    owner: Any, owner_api: Api, workspace: Workspace
) -> None:
    small_history(owner)
    body = owner_api.get("/analytics/cycles?as_of=2026-06-30").json_body
    table = cycle_table(deal_outcomes(workspace, dt.date(2026, 6, 30)))
    assert body["rows"] == [cycle_dict(r) for r in table]
    quarter = body["rows"][0]
    assert quarter["account_type"] == "smb" and quarter["quarter"] == "2026-Q1"
    assert (quarter["won"], quarter["lost"], quarter["win_rate"]) == (1, 1, 0.5)
    assert quarter["median_cycle_days"] == 30
    assert body["rows"][-1]["quarter"] is None
    only = owner_api.get("/analytics/cycles?as_of=2026-06-30&account_type=enterprise")
    assert only.json_body["rows"] == []


def test_bad_dates_and_account_types_are_named_in_the_error_shape(owner_api: Api) -> None:
    for path in ("/analytics/durations", "/analytics/cycles"):
        bad = owner_api.get(f"{path}?as_of=2026-02-31")
        assert bad.status_code == 400
        assert bad.json_body["errors"][0]["field"] == "as_of"
        later = owner_api.get(f"{path}?as_of=2999-01-01")
        assert later.status_code == 400
        assert later.json_body["errors"] == [
            {"field": "as_of", "message": later.json_body["errors"][0]["message"]}
        ]
        assert "is after today" in later.json_body["detail"]
        long = owner_api.get(f"{path}?account_type={'x' * 101}")
        assert long.status_code == 400
        assert long.json_body["errors"][0]["field"] == "account_type"
        unknown = owner_api.get(f"{path}?account_type=nobody")
        assert unknown.status_code == 400
        assert unknown.json_body["errors"] == [
            {
                "field": "account_type",
                "message": "'nobody' is not an account type of this workspace "
                "(enterprise, mid_market, smb)",
            }
        ]


def test_an_empty_workspace_answers_empty_tables(owner_api: Api) -> None:
    for path in ("/analytics/durations", "/analytics/cycles"):
        body = owner_api.get(path).json_body
        assert body["rows"] == [] and body["account_types"] == []


def test_another_workspace_sees_only_its_own_history(
    owner: Any, outsider_api: Api, anonymous_api: Api
) -> None:
    small_history(owner)
    for path in ("/analytics/durations", "/analytics/cycles"):
        assert outsider_api.get(f"{path}?as_of={AS_OF}").json_body["rows"] == []
        assert anonymous_api.get(path).status_code == 401

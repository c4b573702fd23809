"""The workspace's history read for learning: each started step an observation (open ones
censored), deal outcomes, and the forecast of open plans drawing from that history."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest

from mutualplan.plans.forecasting import PlanOutlook, forecast_plans
from mutualplan.plans.learning import deal_outcomes, learned_durations, step_columns
from mutualplan.plans.models import Plan
from mutualplan.workspaces.models import Workspace
from tests.analytics.history import START, history_plan, slip
from tests.conftest import make_plan

AS_OF = START + dt.timedelta(days=40)


def forecast_plan(plan: Plan) -> PlanOutlook | None:
    """One plan's forecast (None when won or lost), as the plan page reads it."""
    return forecast_plans(plan.workspace, [plan]).get(plan.pk)


def observed(
    workspace: Workspace, as_of: dt.date = AS_OF
) -> dict[tuple[str, str], list[tuple[int, bool]]]:
    columns = step_columns(workspace, as_of)
    found: dict[tuple[str, str], list[tuple[int, bool]]] = {}
    for kind, account, days, done in zip(
        columns.step_type, columns.account_type, columns.days, columns.finished, strict=True
    ):
        found.setdefault((str(kind), str(account)), []).append((int(days), bool(done)))
    return found


def test_a_step_runs_from_its_last_prerequisites_completion_to_its_own(
    owner: Any, workspace: Workspace
) -> None:
    history_plan(
        owner,
        "enterprise",
        done={"business_case": 6, "security_review": 30, "legal_redline": 50},
    )
    found = observed(workspace)
    assert found[("business_case", "enterprise")] == [(6, True)]
    assert found[("security_review", "enterprise")] == [(24, True)]
    # Completed after as_of: still open then, for the 34 days since business case.
    assert found[("legal_redline", "enterprise")] == [(34, False)]
    assert found[("security_questionnaire", "enterprise")] == [(34, False)]
    # Commercial review waits on the questionnaire: not started, not an observation.
    assert ("commercial_review", "enterprise") not in found


def test_nothing_after_as_of_is_seen_and_a_step_with_no_prerequisite_starts_when_added(
    owner: Any, workspace: Workspace
) -> None:
    history_plan(owner, "smb", done={"business_case": 6})
    early = observed(workspace, START + dt.timedelta(days=3))
    assert early == {("business_case", "smb"): [(3, False)]}
    assert observed(workspace, START - dt.timedelta(days=1)) == {}


def test_draft_plans_and_other_workspaces_are_not_history(
    owner: Any, outsider: Any, workspace: Workspace
) -> None:
    history_plan(owner, "smb", done={"business_case": 6}, status="draft")
    history_plan(outsider, "smb", done={"business_case": 6})
    assert observed(workspace) == {}


def test_open_steps_of_a_lost_plan_are_censored_on_its_close_date(
    owner: Any, workspace: Workspace
) -> None:
    history_plan(
        owner,
        "mid_market",
        done={"business_case": 4},
        status="lost",
        closed=START + dt.timedelta(days=14),
    )
    assert observed(workspace)[("security_review", "mid_market")] == [(10, False)]


def test_slips_after_commitment_count_with_their_reasons_and_planned_days_are_kept(
    owner: Any, workspace: Workspace
) -> None:
    plan = history_plan(owner, "enterprise", done={"business_case": 6, "security_review": 30})
    slip(plan, "security_review", 5, "legal_or_security_delay", START + dt.timedelta(days=20))
    slip(plan, "security_review", 3, "competing_priorities", START + dt.timedelta(days=25))
    slip(plan, "security_review", 9, "other", AS_OF + dt.timedelta(days=1))  # not known yet
    columns = step_columns(workspace, AS_OF)
    row = int(np.flatnonzero(columns.step_type == "security_review")[0])
    assert columns.slipped_days[row] == 8
    assert sorted(columns.reason[columns.reason_step == row].tolist()) == [
        "competing_priorities",
        "legal_or_security_delay",
    ]
    assert columns.planned_days[row] == 21  # the template's turnaround


def test_deal_outcomes_close_on_the_deals_close_date(owner: Any, workspace: Workspace) -> None:
    history_plan(owner, "smb", status="won", closed=START + dt.timedelta(days=30))
    history_plan(owner, "smb", status="lost", closed=AS_OF + dt.timedelta(days=5))
    history_plan(owner, "smb")
    outcomes = sorted(deal_outcomes(workspace, AS_OF), key=lambda d: (d.closed is None, d.won))
    assert [(d.closed, d.won) for d in outcomes] == [
        (START + dt.timedelta(days=30), True),
        (None, None),
        (None, None),
    ]
    assert all(d.created == START and d.account_type == "smb" for d in outcomes)


def test_learned_durations_are_kept_until_the_history_changes(
    owner: Any, workspace: Workspace
) -> None:
    history_plan(owner, "smb", done={"business_case": 6})
    first = learned_durations(workspace, AS_OF)
    assert learned_durations(workspace, AS_OF) is first
    make_plan(owner)
    assert learned_durations(workspace, AS_OF) is not first


def test_a_plans_forecast_draws_remaining_steps_from_history_and_names_its_basis(
    owner: Any, workspace: Workspace
) -> None:
    for _ in range(10):
        history_plan(
            owner,
            "enterprise",
            done={"business_case": 5, "security_review": 25, "security_questionnaire": 10},
        )
    plan = make_plan(owner, target_offset=200)
    outlook = forecast_plan(plan)
    assert outlook is not None
    assert outlook.remaining == 8
    assert 0.0 <= outlook.p_by_quarter_end <= 1.0 and outlook.p_by_target is not None
    assert outlook.p50 <= outlook.p80 <= outlook.p90
    by_type = {s.step_type: s for s in outlook.steps}
    assert (
        by_type["business_case"].started and by_type["business_case"].basis.kind == "account_type"
    )
    # Ten finished, and this plan's own, open since today (censored at 0 days).
    assert by_type["business_case"].basis.text == "11 business case steps of enterprise deals"
    assert not by_type["security_review"].started
    assert by_type["contract_execution"].basis.kind == "plan"
    assert outlook.steps[0].criticality >= outlook.steps[-1].criticality
    assert forecast_plan(plan) == outlook  # seeded: the same state gives the same forecast


def test_won_and_lost_plans_have_no_forecast_and_others_workspaces_plans_are_left_out(
    owner: Any, outsider: Any, workspace: Workspace
) -> None:
    won = history_plan(owner, "smb", status="won", closed=START)
    theirs = make_plan(outsider)
    plans = list(Plan.objects.select_related("deal").filter(pk__in=[won.pk, theirs.pk]))
    assert forecast_plans(workspace, plans) == {}


@pytest.mark.parametrize("count", [2, 6])
def test_forecasting_many_plans_costs_the_same_queries(
    owner: Any, workspace: Workspace, count: int, django_assert_max_num_queries: Any
) -> None:
    for _ in range(count):
        make_plan(owner)
    plans = list(Plan.objects.select_related("deal").filter(workspace=workspace))
    with django_assert_max_num_queries(7):
        assert len(forecast_plans(workspace, plans)) == count


def test_deals_imported_without_a_plan_count_by_their_crm_stage_and_close_date(
    workspace: Workspace,
) -> None:
    from mutualplan.plans.models import Deal

    def deal(stage: str, close: dt.date | None) -> None:
        Deal.objects.create(
            workspace=workspace,
            account_name=f"{stage} Inc",
            account_type="smb",
            stage=stage,
            close_date=close,
            created_at=dt.datetime.combine(START, dt.time(9), tzinfo=dt.UTC),
        )

    deal("Closed Won", START + dt.timedelta(days=20))
    deal("closed_lost", START + dt.timedelta(days=30))
    deal("Closed Won", AS_OF + dt.timedelta(days=3))  # not yet closed on as_of
    deal("Negotiation", None)
    outcomes = deal_outcomes(workspace, AS_OF)
    assert sorted((str(d.closed), d.won) for d in outcomes) == [
        (str(START + dt.timedelta(days=20)), True),
        (str(START + dt.timedelta(days=30)), False),
        ("None", None),
        ("None", None),
    ]

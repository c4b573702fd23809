"""Querysets compiled once give what the ORM gives, one query per call, with fresh parameters."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import QuerySet
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from mutualplan.db.compiled import CompiledQuery
from mutualplan.plans.models import Milestone, Plan
from mutualplan.plans.queries import milestone_rows, with_dependency_ids
from tests.conftest import NEW_PLAN, Api, new_plan


def _plans(workspace_id: int, plan_id: int) -> QuerySet[Plan]:
    return Plan.objects.filter(workspace_id=workspace_id, id=plan_id).select_related(
        "deal", "deal__owner"
    )


PLAN = CompiledQuery(_plans, workspace_id=int, plan_id=int)


def test_a_compiled_query_returns_the_same_models_as_the_orm_with_related_objects(
    owner_api: Api, plan: dict[str, Any]
) -> None:
    second = new_plan(owner_api, deal={**NEW_PLAN["deal"], "account_name": "Second"})
    for wanted in (plan, second):
        workspace_id = Plan.objects.get(id=wanted["id"]).workspace_id
        found = PLAN.first(workspace_id=workspace_id, plan_id=wanted["id"])
        expected = _plans(found.workspace_id, wanted["id"]).get() if found else None
        assert found is not None and expected is not None
        assert found.id == expected.id == wanted["id"]
        assert found.target_date == expected.target_date
        assert found.created_at == expected.created_at
        assert found.deal.account_name == expected.deal.account_name
        assert found.deal.owner == expected.deal.owner
        assert found.deal.amount == expected.deal.amount


def test_a_compiled_query_finds_nothing_for_another_workspace(
    plan: dict[str, Any], other_workspace: Any
) -> None:
    assert PLAN.first(workspace_id=other_workspace.id, plan_id=plan["id"]) is None


def test_compiled_values_with_annotations_match_the_orm(plan: dict[str, Any]) -> None:
    rows = CompiledQuery(
        lambda plan_id: (
            with_dependency_ids(Milestone.objects.filter(plan_id=plan_id))
            .order_by("position")
            .values("id", "title", "risk_checklist", "added_at", "dependency_ids")
        ),
        plan_id=int,
    )
    expected = list(
        with_dependency_ids(Milestone.objects.filter(plan_id=plan["id"]))
        .order_by("position")
        .values("id", "title", "risk_checklist", "added_at", "dependency_ids")
    )
    assert rows.fetch(plan_id=plan["id"]) == expected
    assert [r["title"] for r in milestone_rows(plan["id"])] == [r["title"] for r in expected]


def test_each_call_is_one_query_seen_by_query_counting(plan: dict[str, Any]) -> None:
    workspace_id = Plan.objects.get(id=plan["id"]).workspace_id
    PLAN.first(workspace_id=workspace_id, plan_id=plan["id"])
    with CaptureQueriesContext(connection) as queries:
        PLAN.first(workspace_id=workspace_id, plan_id=plan["id"])
        PLAN.first(workspace_id=workspace_id, plan_id=plan["id"])
    assert len(queries.captured_queries) == 2


@pytest.mark.django_db(transaction=True)
def test_a_compiled_query_for_update_refuses_to_run_outside_a_transaction(
    plan: dict[str, Any],
) -> None:
    locked = CompiledQuery(
        lambda plan_id: Plan.objects.filter(id=plan_id).select_for_update(), plan_id=int
    )
    with transaction.atomic():
        assert [p.id for p in locked.fetch(plan_id=plan["id"])] == [plan["id"]]
    with pytest.raises(TransactionManagementError):
        locked.fetch(plan_id=plan["id"])


def test_a_parameter_must_appear_once_and_be_named_on_each_call(
    plan: dict[str, Any],
) -> None:
    twice = CompiledQuery(
        lambda plan_id: Plan.objects.filter(id=plan_id, deal_id__lte=plan_id), plan_id=int
    )
    with pytest.raises(ValueError, match="appears 2 times"):
        twice.fetch(plan_id=plan["id"])
    with pytest.raises(TypeError, match="expected the parameters"):
        PLAN.fetch(plan_id=plan["id"])

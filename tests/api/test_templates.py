"""A workspace's own templates, saved through one service (`plans.services.templates`)."""

from __future__ import annotations

from typing import Any

import pytest

from mutualplan.plans.errors import Invalid
from mutualplan.plans.models import Activity, PlanTemplate
from mutualplan.plans.services.templates import create_template, resolve_template
from mutualplan.workspaces.models import Workspace
from tests.conftest import Api

ROWS = [
    {"key": "legal", "title": "Legal review", "owner_side": "buyer", "step_type": "legal_redline"},
    {"key": "sign", "title": "Sign", "owner_side": "joint", "depends_on": ["legal"]},
]


def test_a_saved_template_is_the_workspaces_own_with_high_risk_flagged_by_step_type(
    workspace: Workspace, other_workspace: Workspace
) -> None:
    saved = create_template(workspace, "quick", "Quick deal", ROWS, "Two steps")
    assert (saved.workspace, saved.key, saved.name, saved.description) == (
        workspace,
        "quick",
        "Quick deal",
        "Two steps",
    )
    rows = resolve_template(workspace, "quick").rows
    assert [(r.key, r.high_risk, r.depends_on) for r in rows] == [
        ("legal", True, ()),
        ("sign", False, ("legal",)),
    ]
    with pytest.raises(Invalid):
        resolve_template(other_workspace, "quick")
    # Activities belong to a plan; a template is not one.
    assert not Activity.objects.exists()


def test_a_key_the_workspace_already_has_is_refused_and_the_first_template_is_kept(
    workspace: Workspace,
) -> None:
    create_template(workspace, "quick", "Quick deal", ROWS)
    with pytest.raises(Invalid) as refused:
        create_template(workspace, "quick", "Another", ROWS[:1])
    assert refused.value.errors == [
        {"field": "key", "message": "this workspace already has a template 'quick'"}
    ]
    assert list(PlanTemplate.objects.values_list("name", flat=True)) == ["Quick deal"]


@pytest.mark.parametrize(
    ("key", "name", "field"),
    [("Not A Slug", "Quick", "key"), ("", "Quick", "key"), ("quick", "   ", "name")],
)
def test_a_bad_key_or_a_blank_name_is_refused_by_the_service_itself(
    workspace: Workspace, key: str, name: str, field: str
) -> None:
    with pytest.raises(Invalid) as refused:
        create_template(workspace, key, name, ROWS)
    assert refused.value.errors[0]["field"] == field
    assert not PlanTemplate.objects.exists()


def test_the_api_saves_a_template_through_the_service_and_refuses_a_duplicate_key(
    owner_api: Api,
) -> None:
    body: dict[str, Any] = {"key": "quick", "name": "Quick deal", "rows": ROWS}
    created = owner_api.post("/templates", body)
    assert created.status_code == 201 and created.json_body["rows"][0]["high_risk"] is True
    again = owner_api.post("/templates", {**body, "name": "Again"})
    assert again.status_code == 400
    assert again.json_body["errors"] == [
        {"field": "key", "message": "this workspace already has a template 'quick'"}
    ]
    assert PlanTemplate.objects.get().name == "Quick deal"

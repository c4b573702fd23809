"""What is documented: every setting in the sample env file, every endpoint in OpenAPI."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.conftest import Api

ROOT = Path(__file__).resolve().parent.parent


def test_every_setting_is_documented_in_the_sample_env_file() -> None:
    used = set(
        re.findall(
            r'env(?:bool|int)?\("([A-Z_]+)"', (ROOT / "src/mutualplan/settings.py").read_text()
        )
    )
    documented = set(
        re.findall(r"^#?\s*MUTUALPLAN_([A-Z_]+)=", (ROOT / ".env.sample").read_text(), re.M)
    )
    assert used, "no settings found"
    assert used - documented == set()


def test_the_openapi_document_lists_every_issue_endpoint(anonymous_api: Api) -> None:
    response = anonymous_api.get("/openapi.json")
    assert response.status_code == 200
    paths: dict[str, Any] = response.json_body["paths"]
    expected = {
        "/api/v1/plans": {"get", "post"},
        "/api/v1/plans/{plan_id}": {"get", "patch"},
        "/api/v1/plans/{plan_id}/retarget": {"post"},
        "/api/v1/plans/{plan_id}/milestones": {"post"},
        "/api/v1/plans/{plan_id}/milestones/{milestone_id}": {"patch", "delete"},
        "/api/v1/plans/{plan_id}/milestones/reorder": {"post"},
        "/api/v1/plans/{plan_id}/slips": {"get"},
        "/api/v1/plans/{plan_id}/health": {"get"},
        "/api/v1/plans/{plan_id}/agenda": {"get"},
        "/api/v1/plans/{plan_id}/calls": {"post"},
        "/api/v1/plans/{plan_id}/escalations": {"get"},
        "/api/v1/plans/{plan_id}/forecast": {"get"},
        "/api/v1/plans/{plan_id}/next-actions": {"get"},
        "/api/v1/plans/{plan_id}/escalations/{milestone_id}/send": {"post"},
        "/api/v1/plans/{plan_id}/slips/summary": {"get"},
        "/api/v1/plans/{plan_id}/activity": {"get"},
        "/api/v1/plans/{plan_id}/versions": {"get", "post"},
        "/api/v1/plans/{plan_id}/versions/{a}/diff/{b}": {"get"},
        "/api/v1/plans/{plan_id}/send": {"post"},
        "/api/v1/plans/{plan_id}/emails": {"get"},
        "/api/v1/plans/{plan_id}/share-links": {"get", "post"},
        "/api/v1/share-links/{link_id}": {"delete"},
        "/api/v1/plans/{plan_id}/calendar-feeds": {"get", "post"},
        "/api/v1/calendar-feeds": {"get", "post"},
        "/api/v1/calendar-feeds/{feed_id}": {"delete"},
        "/api/v1/plans/{plan_id}/export/ics": {"get"},
        "/api/v1/plans/{plan_id}/stakeholders": {"get", "post"},
        "/api/v1/plans/{plan_id}/stakeholders/{stakeholder_id}": {"patch", "delete"},
        "/api/v1/plans/{plan_id}/buyer-visits": {"get"},
        "/api/v1/plans/{plan_id}/findings": {"get"},
        "/api/v1/plans/{plan_id}/export": {"get"},
        "/api/v1/export": {"get"},
        "/api/v1/plans/import": {"post"},
        "/api/v1/plans/import/sheet": {"post"},
        "/api/v1/plans/import/sheet/preview": {"post"},
        "/api/v1/plans/{plan_id}/import/sheet": {"post"},
        "/api/v1/deals": {"get"},
        "/api/v1/deals/import": {"post"},
        "/api/v1/analytics/durations": {"get"},
        "/api/v1/analytics/cycles": {"get"},
        "/api/v1/shared/{token}": {"get"},
        "/api/v1/shared/{token}/changes": {"get"},
        "/api/v1/shared/{token}/milestones": {"post"},
        "/api/v1/shared/{token}/milestones/{milestone_id}": {"patch"},
        "/api/v1/shared/{token}/confirm": {"post"},
        "/api/v1/webhooks": {"get", "post"},
        "/api/v1/webhooks/{endpoint_id}": {"delete"},
        "/api/v1/webhooks/{endpoint_id}/deliveries": {"get"},
    }
    for path, methods in expected.items():
        assert path in paths, path
        assert methods <= set(paths[path]), path
    schemas = response.json_body["components"]["schemas"]
    seller_plan = set(schemas["SellerPlanOut"]["properties"])
    assert {"id", "version", "status", "target_date", "target_reason", "deal", "milestones"} <= (
        seller_plan
    )
    # The buyer's plan is its own shape, with no deal in it (it was PlanOut, deal included).
    buyer_plan = set(schemas["BuyerPlanOut"]["properties"])
    assert {"id", "account_name", "target_date", "target_reason", "milestones"} <= buyer_plan
    assert "deal" not in buyer_plan and "warnings" not in buyer_plan


def test_the_readme_quick_start_is_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    block = readme.split("## Quick start", 1)[1].split("```", 2)[1]
    commands = [
        line
        for line in block.splitlines()[1:]
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert commands == ["./scripts/start", "./scripts/test"]


def test_the_migrations_match_the_models(db: object) -> None:
    from django.core.management import call_command

    # Exits with status 1 when a model change has no migration.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)

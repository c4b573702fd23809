"""Shared fixtures: the personas of every test.

- `owner`: Olivia, a seller who owns the deals in the Acme workspace;
- `teammate`: Theo, another seller of the same workspace (sees the same plans);
- `outsider`: Oscar, a seller of another workspace (sees none of them);
- `buyer`: the champion, reaching one plan through its share link, with no account.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# Settings read the data directory on import: point it somewhere throw-away first.
os.environ.setdefault("MUTUALPLAN_DATA_DIR", tempfile.mkdtemp(prefix="mutualplan-tests-"))
# The suite's own queries may wait longer for a pooled PostgreSQL connection than a server
# should (a busy two-core machine): servers the tests start keep the 1 s default, since
# tests/server.py gives them no MUTUALPLAN_ setting of ours.
os.environ.setdefault("MUTUALPLAN_DB_POOL_TIMEOUT", "10")
# The servers and CLI runs the tests start inherit DJANGO_SETTINGS_MODULE (tests.settings, the
# fast password hasher): they need the repository's root on their path to import it.
_ROOT = str(Path(__file__).resolve().parent.parent)
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [_ROOT, os.environ.get("PYTHONPATH")]))

from django.test import Client  # noqa: E402

from mutualplan.plans.actors import Actor  # noqa: E402
from mutualplan.plans.models import Plan  # noqa: E402
from mutualplan.plans.services import plans as plan_service  # noqa: E402
from mutualplan.plans.services.sharing import create_share_link  # noqa: E402
from mutualplan.workspaces.models import Workspace  # noqa: E402
from mutualplan.workspaces.services import issue_token, onboard_seller  # noqa: E402

TODAY = dt.date.today()
# Every fixture seller gets this password (hashed by the fast hasher of tests/settings.py).
PASSWORD = "correct-horse-battery"


def day(offset: int) -> str:
    """An ISO date `offset` days from today."""
    return (TODAY + dt.timedelta(days=offset)).isoformat()


@dataclass
class Api:
    """A JSON client for the REST API, as one seller (token) or anonymous."""

    client: Client
    token: str = ""

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def call(self, method: str, path: str, body: Any = None, raw: str | None = None) -> Any:
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        response = self.client.generic(
            method,
            f"/api/v1{path}",
            data=data or "",
            content_type="application/json",
            headers=self._headers(),
        )
        response.json_body = json.loads(response.content) if response.content else None
        return response

    def get(self, path: str) -> Any:
        return self.call("GET", path)

    def post(self, path: str, body: Any = None, raw: str | None = None) -> Any:
        return self.call("POST", path, body if body is not None else {}, raw)

    def patch(self, path: str, body: Any) -> Any:
        return self.call("PATCH", path, body)

    def delete(self, path: str) -> Any:
        return self.call("DELETE", path)


def make_seller(email: str, workspace: Workspace, name: str) -> Any:
    """A seller of `workspace`, onboarded as the CLI and the demo onboard theirs."""
    return onboard_seller(email, workspace=workspace.slug, name=name, password=PASSWORD).user


@pytest.fixture
def workspace(db: Any) -> Workspace:
    return Workspace.objects.create(name="Acme Software", slug="acme")


@pytest.fixture
def other_workspace(db: Any) -> Workspace:
    return Workspace.objects.create(name="Globex", slug="globex")


@pytest.fixture
def owner(workspace: Workspace) -> Any:
    return make_seller("olivia@acme.example", workspace, "Olivia Owner")


@pytest.fixture
def teammate(workspace: Workspace) -> Any:
    return make_seller("theo@acme.example", workspace, "Theo Teammate")


@pytest.fixture
def outsider(other_workspace: Workspace) -> Any:
    return make_seller("oscar@globex.example", other_workspace, "Oscar Outsider")


def api_for(user: Any, workspace: Workspace) -> Api:
    _, token = issue_token(user, workspace)
    return Api(Client(), token)


@pytest.fixture
def owner_api(owner: Any, workspace: Workspace) -> Api:
    return api_for(owner, workspace)


@pytest.fixture
def teammate_api(teammate: Any, workspace: Workspace) -> Api:
    return api_for(teammate, workspace)


@pytest.fixture
def outsider_api(outsider: Any, other_workspace: Workspace) -> Api:
    return api_for(outsider, other_workspace)


@pytest.fixture
def anonymous_api(db: Any) -> Api:
    return Api(Client())


BUYER = {"name": "Priya Champion", "email": "priya@buyer.example"}

NEW_PLAN = {
    "deal": {
        "account_name": "Northwind Health",
        "account_type": "enterprise",
        "stage": "evaluation",
        "amount": 120000,
        "currency": "USD",
    },
    "target_reason": "Portal live before open enrolment on March 1",
    "template": "standard",
}


def new_plan(api: Api, target_offset: int | None = 90, **extra: Any) -> dict[str, Any]:
    body = {**NEW_PLAN, **extra}
    if target_offset is not None and "target_date" not in extra:
        body["target_date"] = day(target_offset)
    response = api.post("/plans", body)
    assert response.status_code == 201, response.json_body
    return response.json_body  # type: ignore[no-any-return]


def make_plan(
    seller: Any, target_offset: int | None = 90, workspace: Workspace | None = None, **extra: Any
) -> Plan:
    """A plan created through the service, as `new_plan` would through the API (same body:
    `deal`, `target_date`, `target_reason`, `template`, `country`, `business_days`,
    `schedule`), without an HTTP request. The workspace defaults to the seller's only one."""
    body = {**NEW_PLAN, **extra}
    target = body.get("target_date")
    if target is None and target_offset is not None and "target_date" not in extra:
        target = day(target_offset)
    return plan_service.create_plan(
        workspace or seller.memberships.get().workspace,
        Actor.seller(seller),
        deal=plan_service.DealInput(**body["deal"]),
        target_date=dt.date.fromisoformat(target) if isinstance(target, str) else target,
        target_reason=body.get("target_reason", ""),
        template=body.get("template", "standard"),
        country=body.get("country", ""),
        business_days=body.get("business_days", False),
        from_turnarounds=body.get("schedule") == "turnarounds",
    )


def plan_json(plan: Plan) -> dict[str, Any]:
    """The plan as the seller's API answers it (the dict `new_plan` returns)."""
    from mutualplan.api.responses import render
    from mutualplan.api.schemas.plans import SellerPlanOut
    from mutualplan.plans.seller_view import plan_dict

    return json.loads(render(SellerPlanOut, plan_dict(plan)).content)  # type: ignore[no-any-return]


def seller_plan(seller: Any, target_offset: int | None = 90, **extra: Any) -> dict[str, Any]:
    """`new_plan` without HTTP: for tests whose subject is not plan creation through the API."""
    return plan_json(make_plan(seller, target_offset, **extra))


def share_link_token(plan: dict[str, Any] | Plan, seller: Any, label: str = "champion") -> str:
    """A new share link's token, made through the service."""
    stored = plan if isinstance(plan, Plan) else Plan.objects.get(id=plan["id"])
    return create_share_link(stored, Actor.seller(seller), label=label)[1]


@pytest.fixture
def plan(owner_api: Api) -> dict[str, Any]:
    return new_plan(owner_api)


@pytest.fixture
def share_token(owner_api: Api, plan: dict[str, Any]) -> str:
    response = owner_api.post(f"/plans/{plan['id']}/share-links", {"label": "champion"})
    assert response.status_code == 201
    return response.json_body["token"]  # type: ignore[no-any-return]

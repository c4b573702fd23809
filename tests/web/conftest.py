"""The web tests' plan and share link come from the services: these tests are about pages,
and creating the plan through the API only made them slower."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import seller_plan, share_link_token


@pytest.fixture
def plan(owner: Any) -> dict[str, Any]:
    return seller_plan(owner)


@pytest.fixture
def share_token(owner: Any, plan: dict[str, Any]) -> str:
    return share_link_token(plan, owner)

"""API tokens: issued and revoked through one service, from the tokens page and the CLI."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from mutualplan.plans.errors import Forbidden, Invalid, NotFound
from mutualplan.workspaces.models import ApiToken, Workspace, hash_token
from mutualplan.workspaces.services import issue_token, note_token_used, revoke_token


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_issued_token_is_kept_only_as_its_hash_and_answers_the_api(
    owner: Any, workspace: Workspace
) -> None:
    token, clear = issue_token(owner, workspace, "CRM sync")
    assert token.token_hash == hash_token(clear) and clear not in token.prefix + token.token_hash
    assert (token.name, token.prefix) == ("CRM sync", clear[:10])
    answer = Client().get("/api/v1/plans", headers={"Authorization": f"Bearer {clear}"})
    assert answer.status_code == 200 and answer.json()["items"] == []


def test_a_token_for_a_workspace_the_seller_is_not_in_is_refused(
    outsider: Any, workspace: Workspace
) -> None:
    with pytest.raises(Forbidden):
        issue_token(outsider, workspace)
    assert not ApiToken.objects.exists()


def test_a_token_name_over_100_characters_is_refused_and_no_token_is_issued(
    owner: Any, workspace: Workspace
) -> None:
    with pytest.raises(Invalid) as refused:
        issue_token(owner, workspace, "x" * 101)
    assert refused.value.errors == [
        {"field": "name", "message": "a token name has at most 100 characters"}
    ]
    assert not ApiToken.objects.exists()


def test_revoking_twice_keeps_the_first_time_and_the_token_stops_working(
    owner: Any, workspace: Workspace
) -> None:
    token, clear = issue_token(owner, workspace)
    first = revoke_token(owner, token.id).revoked_at
    assert first is not None
    assert revoke_token(owner, token.id).revoked_at == first
    answer = Client().get("/api/v1/plans", headers={"Authorization": f"Bearer {clear}"})
    assert answer.status_code == 401


def test_a_seller_cannot_revoke_a_teammates_token(
    owner: Any, teammate: Any, workspace: Workspace
) -> None:
    token, _ = issue_token(owner, workspace)
    with pytest.raises(NotFound):
        revoke_token(teammate, token.id)
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_tokens_page_refuses_a_long_name_and_says_why(owner: Any) -> None:
    page = signed_in(owner).post("/settings/tokens/", {"name": "x" * 101})
    assert page.status_code == 400
    assert "a token name has at most 100 characters" in page.content.decode()
    assert 'id="new-token"' not in page.content.decode()
    assert not ApiToken.objects.exists()


def test_revoking_a_teammates_token_on_the_tokens_page_is_not_found_and_changes_nothing(
    owner: Any, teammate: Any, workspace: Workspace
) -> None:
    token, _ = issue_token(owner, workspace)
    page = signed_in(teammate).post("/settings/tokens/", {"revoke": str(token.id)})
    assert page.status_code == 404
    assert f"you have no API token {token.id}" in page.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.parametrize("raw", ["abc", "²", "9" * 30, ""])
def test_revoking_a_token_id_that_is_not_a_number_is_not_found_and_changes_nothing(
    owner: Any, workspace: Workspace, raw: str
) -> None:
    token, _ = issue_token(owner, workspace)
    page = signed_in(owner).post("/settings/tokens/", {"revoke": raw})
    assert page.status_code == 404
    assert "you have no API token" in page.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_tokens_page_revokes_the_sellers_own_token(owner: Any, workspace: Workspace) -> None:
    token, _ = issue_token(owner, workspace)
    page = signed_in(owner).post("/settings/tokens/", {"revoke": str(token.id)}, follow=True)
    assert "Token revoked." in page.content.decode()
    assert re.search(r"badge-lost\">Revoked", page.content.decode())
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_token_in_use_is_stamped_at_most_every_five_minutes(
    owner: Any, workspace: Workspace
) -> None:
    token, clear = issue_token(owner, workspace)
    Client().get("/api/v1/plans", headers={"Authorization": f"Bearer {clear}"})
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    note_token_used(token)
    assert ApiToken.objects.get(id=token.id).last_used_at == first
    token.last_used_at = first - dt.timedelta(minutes=6)
    note_token_used(token)
    assert ApiToken.objects.get(id=token.id).last_used_at > first
    assert token.last_used_at <= timezone.now()

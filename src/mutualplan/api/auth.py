"""Bearer-token auth for sellers: the token names one user in one workspace."""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.http import HttpRequest
from ninja.security import HttpBearer

from mutualplan.db.compiled import CompiledQuery
from mutualplan.plans.actors import Actor
from mutualplan.workspaces.models import ApiToken, Workspace, hash_token
from mutualplan.workspaces.services import note_token_used

# Every API request reads its token: compiled once (see db/compiled.py).
_TOKEN = CompiledQuery(
    lambda token_hash: ApiToken.objects.select_related("user", "workspace").filter(
        token_hash=token_hash,
        revoked_at__isnull=True,
        user__is_active=True,
        user__memberships__workspace=F("workspace"),
    )[:1],
    token_hash=str,
)


class SellerToken(HttpBearer):
    openapi_description = "A seller API token (`mutualplan token create`)."

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        if not token or len(token) > 200:
            return None
        found = _TOKEN.first(token_hash=hash_token(token))
        if found is None:
            return None
        note_token_used(found)
        return found


def seller(request: HttpRequest) -> tuple[Workspace, Actor]:
    """The workspace and acting seller of an authenticated API request."""
    token: Any = request.auth  # type: ignore[attr-defined]
    return token.workspace, Actor.seller(token.user)

"""Who is looking at a page: the seller's current workspace, or the buyer behind a link."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse

from mutualplan.plans.actors import Actor
from mutualplan.plans.models import ShareLink
from mutualplan.workspaces.models import Membership, Workspace

SESSION_WORKSPACE = "workspace_id"
BUYER_COOKIE = "mp_buyer"
BUYER_SALT = "mutualplan.buyer-identity"
BUYER_MAX_AGE = 60 * 60 * 24 * 365


def user_of(request: HttpRequest) -> Any:
    """The signed-in seller (views that call this are behind login_required)."""
    return request.user


def current_workspace(request: HttpRequest) -> Workspace | None:
    """The workspace the seller is working in: the one chosen in the switcher, else the first."""
    chosen = request.session.get(SESSION_WORKSPACE)
    memberships = Membership.objects.filter(user=user_of(request)).select_related("workspace")
    if chosen:
        found = memberships.filter(workspace_id=chosen).first()
        if found:
            return found.workspace
    first = memberships.order_by("workspace__name").first()
    return first.workspace if first else None


@dataclass(frozen=True)
class BuyerIdentity:
    name: str
    email: str


def buyer_identity(request: HttpRequest) -> BuyerIdentity | None:
    """The name and email the buyer gave, kept in a signed cookie (no account needed)."""
    raw = request.get_signed_cookie(
        BUYER_COOKIE, default=None, salt=BUYER_SALT, max_age=BUYER_MAX_AGE
    )
    if not raw:
        return None
    try:
        data = json.loads(raw)
        return BuyerIdentity(str(data["name"])[:200], str(data["email"])[:254])
    except (ValueError, KeyError, TypeError):
        return None


def remember_buyer(response: HttpResponse, identity: BuyerIdentity) -> None:
    response.set_signed_cookie(
        BUYER_COOKIE,
        json.dumps({"name": identity.name, "email": identity.email}),
        salt=BUYER_SALT,
        max_age=BUYER_MAX_AGE,
        httponly=True,
        samesite="Lax",
    )


def buyer_actor(identity: BuyerIdentity, link: ShareLink) -> Actor:
    return Actor.buyer(identity.name, identity.email, link)

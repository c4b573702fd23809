"""Who is looking at a page: the seller's current workspace, or the buyer behind a link."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse

from mutualplan.core.text import person_errors
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


def workspace_or_404(request: HttpRequest) -> Workspace:
    """`current_workspace`, or 404 for a signed-in user who is a member of none."""
    workspace = current_workspace(request)
    if workspace is None:
        raise Http404("you are not a member of any workspace")
    return workspace


@dataclass(frozen=True)
class BuyerIdentity:
    name: str
    email: str


def buyer_identity(request: HttpRequest) -> BuyerIdentity | None:
    """The name and email the buyer gave, kept in a signed cookie (no account needed).

    Checked again on every read with the rules of the form that set it: a cookie from an
    older version (a NUL, a control character, a name too long, not an email) counts as no
    identity, so the buyer is asked again instead of every write failing.
    """
    raw = request.get_signed_cookie(
        BUYER_COOKIE, default=None, salt=BUYER_SALT, max_age=BUYER_MAX_AGE
    )
    if not raw:
        return None
    try:
        data = json.loads(raw)
        name, email = data["name"], data["email"]
    except (ValueError, KeyError, TypeError):
        return None
    if not isinstance(name, str) or not isinstance(email, str) or person_errors(name, email):
        return None
    return BuyerIdentity(name, email)


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

"""Writes to workspaces: onboarding a seller into one, and the sellers' API tokens.

One function per write, used by every shell (the CLI, the demo loader, the web pages and the
test fixtures), so the rules (emails in lower case, one membership per user and workspace,
the first member of a new workspace owns it, a token name's length) live in one place.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from mutualplan.plans.errors import Forbidden, Invalid, NotFound
from mutualplan.workspaces.models import ApiToken, Membership, Workspace, hash_token

TOKEN_NAME_MAX = 100
# A token in use is stamped at most this often: every API request reads its token, and a
# write per request would serialise them on SQLite.
TOKEN_USE_STAMP = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class Onboarded:
    """A new seller, the workspace they joined, and whether that workspace is new."""

    user: Any
    workspace: Workspace
    new_workspace: bool


def join_workspace(user: Any, slug: str, name: str | None = None) -> tuple[Workspace, bool]:
    """Make `user` a member of the workspace `slug`, creating it (named `name`, the slug if
    None) when it does not exist; its first member owns it. Joining twice changes nothing."""
    clean = slugify(slug)
    if not clean:
        raise Invalid.field("workspace", "the workspace slug must contain letters or digits")
    with transaction.atomic():
        workspace, created = Workspace.objects.get_or_create(
            slug=clean, defaults={"name": name or slug}
        )
        Membership.objects.get_or_create(
            user=user,
            workspace=workspace,
            defaults={"role": Membership.Role.OWNER if created else Membership.Role.MEMBER},
        )
    return workspace, created


@transaction.atomic
def onboard_seller(
    email: str,
    *,
    workspace: str,
    workspace_name: str | None = None,
    name: str = "",
    password: str | None = None,
) -> Onboarded:
    """Create a seller user and add them to the workspace `workspace` (a slug).

    `password` is set as given: the shell that lets a person choose one checks it first
    (`accounts.passwords.password_problems`). Without one the user cannot sign in until a
    password reset.
    """
    address = email.strip().lower()
    try:
        validate_email(address)
    except ValidationError:
        raise Invalid.field("email", f"{email!r} is not an email address") from None
    User = get_user_model()
    if User.objects.filter(email__iexact=address).exists():
        raise Invalid.field("email", f"a user with email {address} already exists")
    first, _, last = name.strip().partition(" ")
    user = User.objects.create_user(
        username=address, email=address, password=password, first_name=first, last_name=last
    )
    joined, created = join_workspace(user, workspace, workspace_name)
    return Onboarded(user=user, workspace=joined, new_workspace=created)


def issue_token(user: Any, workspace: Workspace, name: str = "") -> tuple[ApiToken, str]:
    """A new API token for a member of `workspace`; the clear text is returned once and only
    its hash is kept."""
    if len(name) > TOKEN_NAME_MAX:
        raise Invalid.field("name", f"a token name has at most {TOKEN_NAME_MAX} characters")
    if not Membership.objects.filter(user=user, workspace=workspace).exists():
        raise Forbidden(f"{user.email} is not a member of workspace {workspace.slug}")
    clear = "mp_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, workspace=workspace, name=name, token_hash=hash_token(clear), prefix=clear[:10]
    )
    return token, clear


def revoke_token(user: Any, token_id: int) -> ApiToken:
    """Revoke one of `user`'s own tokens (revoking it again changes nothing)."""
    token = ApiToken.objects.filter(user=user, id=token_id).first()
    if token is None:
        raise NotFound(f"you have no API token {token_id}")
    if token.revoked_at is None:
        # Only a live token is stamped, so a second revoke keeps the first time.
        ApiToken.objects.filter(id=token.id, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        token.refresh_from_db(fields=["revoked_at"])
    return token


def note_token_used(token: ApiToken) -> None:
    """Remember when a token was last used, at most once per `TOKEN_USE_STAMP`."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOKEN_USE_STAMP:
        ApiToken.objects.filter(id=token.id).update(last_used_at=now)
        token.last_used_at = now


# The workspace settings a workspace owner edits, with the range each number may take.
SETTING_RANGES: dict[str, tuple[int, int]] = {
    "review_interval_days": (1, 365),
    "stale_days": (1, 365),
    "buyer_silent_days": (1, 365),
    "quarter_end_window_days": (0, 31),
    "fiscal_year_start_month": (1, 12),
    "max_open_steps": (1, 500),
}


def is_owner(user: Any, workspace: Workspace) -> bool:
    return Membership.objects.filter(
        user=user, workspace=workspace, role=Membership.Role.OWNER
    ).exists()


def update_settings(user: Any, workspace: Workspace, values: dict[str, str]) -> Workspace:
    """Set the workspace's time zone, health thresholds and whether webhooks may reach private
    addresses (its owners only). Every bad value is listed and nothing is saved."""
    if not is_owner(user, workspace):
        raise Forbidden("only an owner of the workspace can change its settings")
    from mutualplan.workspaces.clock import is_time_zone

    errors: list[dict[str, str]] = []
    changes: dict[str, Any] = {}
    zone = (values.get("time_zone") or "").strip()
    if not zone or len(zone) > 64 or not is_time_zone(zone):
        errors.append(
            {"field": "time_zone", "message": "is not a time zone name, such as Europe/Paris"}
        )
    else:
        changes["time_zone"] = zone
    for name, (low, high) in SETTING_RANGES.items():
        raw = (values.get(name) or "").strip()
        if not (raw.isascii() and raw.isdigit() and len(raw) < 5) or not low <= int(raw) <= high:
            errors.append(
                {"field": name, "message": f"must be a whole number from {low} to {high}"}
            )
        else:
            changes[name] = int(raw)
    # A checkbox: present (any of these values) is on, absent is off.
    changes["allow_private_webhooks"] = (values.get("allow_private_webhooks") or "").lower() in (
        "on",
        "true",
        "1",
        "yes",
    )
    if errors:
        raise Invalid("; ".join(f"{e['field']}: {e['message']}" for e in errors), errors)
    from mutualplan.plans.health import forget_health

    for name, value in changes.items():
        setattr(workspace, name, value)
    with transaction.atomic():
        workspace.save(update_fields=list(changes))
        forget_health(workspace)
    return workspace

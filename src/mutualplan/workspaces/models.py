"""Workspaces (one selling company each), their seller members and API tokens."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone

from mutualplan.core.vocab import DEFAULT_ACCOUNT_TYPES, DEFAULT_STAGES


def _default_account_types() -> list[str]:
    return list(DEFAULT_ACCOUNT_TYPES)


def _default_stages() -> list[str]:
    return list(DEFAULT_STAGES)


def _default_intro_stages() -> list[str]:
    return ["demo", "business_case"]


class Workspace(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    account_types = models.JSONField(default=_default_account_types)
    stages = models.JSONField(default=_default_stages)
    # Stages at which a deal without a plan should get one ("introduce a MAP now").
    intro_stages = models.JSONField(default=_default_intro_stages)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner"
        MEMBER = "member"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "workspace"], name="one_membership_per_user")
        ]


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(models.Model):
    """A seller's bearer token for one workspace. Only its hash is stored; tokens are issued
    and revoked by `workspaces.services`."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

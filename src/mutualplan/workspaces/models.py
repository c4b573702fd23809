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


def _default_time_zone() -> str:
    return str(settings.TIME_ZONE or "UTC")


def _default_review_interval() -> int:
    return int(settings.REVIEW_INTERVAL_DAYS)


def _default_stale_days() -> int:
    return int(settings.STALE_BUYER_STEP_DAYS)


class Workspace(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    account_types = models.JSONField(default=_default_account_types)
    stages = models.JSONField(default=_default_stages)
    # Stages at which a deal without a plan should get one ("introduce a MAP now").
    intro_stages = models.JSONField(default=_default_intro_stages)
    # The IANA zone every date rule of the workspace reads "today" in (workspaces/clock.py).
    time_zone = models.CharField(max_length=64, default=_default_time_zone)
    # Plan health thresholds (core/health.py: HealthSettings).
    review_interval_days = models.PositiveIntegerField(default=_default_review_interval)
    stale_days = models.PositiveIntegerField(default=_default_stale_days)
    buyer_silent_days = models.PositiveIntegerField(default=14)
    quarter_end_window_days = models.PositiveIntegerField(default=7)
    fiscal_year_start_month = models.PositiveSmallIntegerField(default=1)
    max_open_steps = models.PositiveIntegerField(default=30)
    # Webhook endpoints may be on private, loopback or link-local addresses (an integration
    # inside the company's network). Off: such URLs are refused (server-side request forgery).
    allow_private_webhooks = models.BooleanField(default=False)
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

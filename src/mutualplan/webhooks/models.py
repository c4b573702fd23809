"""Webhook endpoints of a workspace, their deliveries, and the stale-step markers."""

from __future__ import annotations

import secrets
import uuid

from django.db import models
from django.utils import timezone

from mutualplan.plans.models import Milestone
from mutualplan.workspaces.models import Workspace


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class WebhookEndpoint(models.Model):
    """A URL that receives the events it subscribes to, signed with its own secret."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.CharField(max_length=500)
    events = models.JSONField(default=list)
    secret = models.CharField(max_length=100, default=new_secret)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event sent (or to be sent) to one endpoint, with every attempt in `log`."""

    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"
    STATUSES = [(QUEUED, "Queued"), (SENT, "Sent"), (FAILED, "Failed")]

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=40)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=STATUSES, default=QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    response_status = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    # One entry per attempt: {"at", "status" (HTTP code or null), "error"}.
    log = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["endpoint", "created_at"])]


class StaleStepNotice(models.Model):
    """`step.stale` was emitted for this row's current stale episode: the one that started
    with the status update at `since` (null: never updated). A new status update starts a new
    episode, so the event is sent again only when the row goes stale again."""

    milestone = models.OneToOneField(
        Milestone, on_delete=models.CASCADE, related_name="stale_notice"
    )
    since = models.DateTimeField(null=True, blank=True)
    noticed_at = models.DateTimeField(default=timezone.now)

"""What the digests remember: one row per recipient per local day (so that no run, on any
server, sends a digest twice) and who unsubscribed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from mutualplan.workspaces.models import Workspace

SELLER, BUYER = "seller", "buyer"
KINDS = [(SELLER, "seller"), (BUYER, "buyer")]


class DigestDelivery(models.Model):
    """One digest to one recipient on one day of the workspace: queued by the run that
    inserted it (the unique constraint makes every other run skip it), claimed by the send
    (queued -> sending), then sent, failed with its reason, or skipped when nothing was left
    to say by the time it went out."""

    QUEUED, SENDING, SENT, FAILED, SKIPPED = "queued", "sending", "sent", "failed", "skipped"
    STATUSES = [(s, s) for s in (QUEUED, SENDING, SENT, FAILED, SKIPPED)]

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="digest_deliveries"
    )
    day = models.DateField()
    recipient = models.EmailField()
    kind = models.CharField(max_length=10, choices=KINDS)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(max_length=10, choices=STATUSES, default=QUEUED)
    subject = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    # When the queue should next try it: a queued digest long past this was lost by the queue
    # (digests.services.lost_digests queues it again).
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "day", "recipient", "kind"], name="one_digest_per_day"
            )
        ]


class DigestOptOut(models.Model):
    """This address gets no more digests of this kind from this workspace."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    address = models.EmailField()
    kind = models.CharField(max_length=10, choices=KINDS)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "address", "kind"], name="one_opt_out_per_address"
            )
        ]

"""What the throttles remember, in the database so that every server process shares it."""

from __future__ import annotations

from django.db import models


class RateLimit(models.Model):
    """The recent requests of one kind for one email or one address (only a keyed hash of the
    email or address is kept). One row per key, locked while it is checked and updated, so
    that concurrent requests in several processes count exactly."""

    key = models.CharField(max_length=64, unique=True)
    # Unix times of the requests still inside the window, oldest first.
    hits = models.JSONField(default=list)
    # When the newest hit leaves the window: the row is useless after that and is deleted.
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key[:12]}… ({len(self.hits)} recent)"

"""A sliding-window throttle kept in the database (RateLimit rows), shared by every server
process: at most `limit` requests per key in `window`."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from mutualplan.accounts.models import RateLimit


def _key(scope: str, value: str) -> str:
    # Keyed with the secret key: the table does not say which emails or addresses asked.
    return salted_hmac(f"mutualplan.throttle.{scope}", value, algorithm="sha256").hexdigest()


def take(scope: str, values: Iterable[str], limit: int, window: dt.timedelta) -> int:
    """Record one request for every value (e.g. an email and an address) and return 0, or,
    when any of them already had `limit` requests in the window, record nothing and return
    the seconds until it may ask again."""
    keys = sorted({_key(scope, value) for value in values if value})
    if not keys:
        return 0
    with transaction.atomic():
        now = timezone.now()
        RateLimit.objects.filter(expires_at__lte=now).delete()
        RateLimit.objects.bulk_create(
            [RateLimit(key=key, hits=[], expires_at=now + window) for key in keys],
            ignore_conflicts=True,
        )
        # Locked in key order, so that two requests sharing keys never deadlock.
        buckets = list(RateLimit.objects.select_for_update().filter(key__in=keys).order_by("key"))
        # The time is read once the rows are ours: a request that waited for the lock must not
        # stamp (or measure its wait from) a moment before the hits of those it waited for.
        now = timezone.now()
        stamp = now.timestamp()
        start = stamp - window.total_seconds()
        for bucket in buckets:
            bucket.hits = sorted(t for t in bucket.hits if t > start)
        waits = [b.hits[-limit] - start for b in buckets if len(b.hits) >= limit]
        if waits:
            return max(1, math.ceil(max(waits)))
        for bucket in buckets:
            bucket.hits.append(stamp)
            bucket.expires_at = now + window
        RateLimit.objects.bulk_update(buckets, ["hits", "expires_at"])
    return 0


def too_many(what: str, whose: str, seconds: float) -> str:
    """The message of a throttled request, with the wait in whole minutes."""
    minutes = max(1, math.ceil(seconds / 60))
    return (
        f"Too many {what} for this {whose} or address. "
        f"Try again in {minutes} minute{'' if minutes == 1 else 's'}."
    )

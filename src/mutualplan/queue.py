"""The task queue (Huey, configured by settings.HUEY): SQLite in the data directory by
default, Redis when MUTUALPLAN_REDIS_URL is set, so that several servers and workers share it.

`mutualplan worker` runs a consumer on its own; `mutualplan serve` runs one inside (threads of
the server process) unless told --no-worker.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from huey.consumer import Consumer

# An idle consumer looks for new work at least this often (seconds).
POLL_SECONDS = 1.0


class QuietConsumer(Consumer):
    """A consumer that leaves the process's signals alone: it runs inside another program (the
    web server, a test) that owns them, and is stopped with `stop()`."""

    def _set_signal_handlers(self) -> None:
        pass


def huey() -> Any:
    from huey.contrib.djhuey import HUEY

    return HUEY


def consumer(workers: int = 1, *, in_process: bool = False) -> Consumer:
    """A thread-based consumer of the queue (import after Django is set up)."""
    from django.utils.module_loading import autodiscover_modules

    # Every app's tasks module, so the consumer knows each task it may be handed.
    autodiscover_modules("tasks")
    cls = QuietConsumer if in_process else Consumer
    return cls(
        huey(),
        workers=workers,
        worker_type="thread",
        periodic=True,
        max_delay=POLL_SECONDS,
        check_worker_health=not in_process,
    )


def start_in_process(workers: int = 1) -> Consumer:
    """Start a consumer in threads of this process; `stop(graceful=True)` it when done."""
    running = consumer(workers, in_process=True)
    running.start()
    return running


# A queued row this long past its next attempt, or one being sent this long, was lost by the
# queue (a Redis that keeps nothing on disk restarted, a process died between its write and
# the enqueue, or while sending): it is queued again.
LOST_AFTER = dt.timedelta(minutes=10)
STUCK_SENDING_AFTER = dt.timedelta(minutes=15)


def lost_rows(model: Any, now: dt.datetime) -> list[int]:
    """Put back the rows of `model` (an outgoing email: EmailDelivery, DigestDelivery, with
    status queued/sending, last_attempt_at and next_attempt_at) that the queue lost; their ids
    to queue again. An id whose row moved on meanwhile is harmless: its task claims the row
    (queued -> sending) before sending, finds it taken and does nothing."""
    queued, sending = model.QUEUED, model.SENDING
    stuck = list(
        model.objects.filter(
            status=sending, last_attempt_at__lt=now - STUCK_SENDING_AFTER
        ).values_list("id", flat=True)
    )
    late = list(
        model.objects.filter(status=queued, next_attempt_at__lt=now - LOST_AFTER).values_list(
            "id", flat=True
        )
    )
    model.objects.filter(id__in=stuck, status=sending).update(status=queued, next_attempt_at=now)
    # Not picked again by the next sweep unless this try is lost too.
    model.objects.filter(id__in=late, status=queued).update(next_attempt_at=now)
    return stuck + late

"""Backstage's long-polling ``GET /v2/tasks/{id}/events``: wait for the next event, within a cap.

The request holds a web worker while it waits, so the wait is bounded by
``SCAFFOLDER["EVENTS_LONG_POLL_SECONDS"]`` (default 20 s, at most ``MAX_WAIT_SECONDS``: below
gunicorn's default 30 s worker timeout) and the database is read every ``POLL_INTERVAL_SECONDS``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings

from ..models import Task

POLL_INTERVAL_SECONDS = 0.5
MAX_WAIT_SECONDS = 25.0


def long_poll_seconds() -> float:
    """The configured wait, clamped to ``[0, MAX_WAIT_SECONDS]``."""
    configured = float(settings.SCAFFOLDER.get("EVENTS_LONG_POLL_SECONDS", 20))
    return max(0.0, min(configured, MAX_WAIT_SECONDS))


def wait_for_events(
    task: Task,
    read: Callable[[], list[dict[str, Any]]],
    *,
    seconds: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[dict[str, Any]]:
    """``read()`` as soon as it finds events; at once when the task has finished; ``[]`` after the wait."""
    deadline = time.monotonic() + (long_poll_seconds() if seconds is None else seconds)
    while True:
        events = read()
        if events:
            return events
        task.refresh_from_db(fields=["status"])
        remaining = deadline - time.monotonic()
        if task.is_finished or remaining <= 0:
            return events
        sleep(min(POLL_INTERVAL_SECONDS, remaining))

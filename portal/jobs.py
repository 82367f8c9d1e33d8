"""Sending background jobs without letting a broker outage fail the request that asked for them.

A job the portal must not lose (a location refresh, a template run, a docs build) is a database row
first; its message only says "run row X". When the broker is unreachable the row is still committed,
the message is not sent, and the request answers as usual: the job is accepted and queued, as in
Backstage, whose jobs live in the database. Each app's re-dispatch sweeper (a beat job) sends a job
again once it has waited ``JOB_REDISPATCH_AFTER`` seconds without starting, which also covers
messages a restarted Redis forgot. Claims (one conditional UPDATE per job) make a second message for
the same row harmless.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerOperationalError

from portal.metrics import CELERY_PUBLISH_FAILURES

logger = logging.getLogger(__name__)

# Celery wraps connection failures in kombu's OperationalError once its publish retries are spent;
# OSError covers sockets failing outside those retries.
BROKER_ERRORS: tuple[type[Exception], ...] = (BrokerOperationalError, OSError)


def send_job(task: Any, *args: Any) -> bool:
    """Send ``task(*args)`` to the broker now; False (logged and counted) when the broker is unreachable."""
    try:
        task.delay(*args)
    except BROKER_ERRORS as error:
        CELERY_PUBLISH_FAILURES.labels(task.name).inc()
        logger.warning(
            "job queue unavailable: %s%r not sent (%s: %s)",
            task.name,
            args,
            type(error).__name__,
            error,
        )
        return False
    return True


def send_job_after_commit(task: Any, *args: Any) -> None:
    """Send ``task(*args)`` once the current transaction commits (now, outside one), never raising."""
    transaction.on_commit(lambda: send_job(task, *args))


def redispatch_cutoff() -> datetime:
    """Jobs queued before this moment and still not started are sent to the broker again."""
    return timezone.now() - timedelta(seconds=settings.JOB_REDISPATCH_AFTER)


# The most jobs of one kind a sweep sends again: a long backlog is drained over several ticks.
REDISPATCH_BATCH = 500

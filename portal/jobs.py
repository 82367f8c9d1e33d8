"""Sending background jobs by task name, without letting a broker outage fail the request that asked.

Services enqueue work by the task's registered name (``send_job("catalog.refresh_location", pk)``)
and never import a tasks module: tasks import services, never the other way round. The name is
looked up in the Celery app's registry and sent with ``delay``, so ``task_always_eager`` (tests, the
embedded mode) runs it in-process as before. An unknown name is refused at once with ``UnknownJob``.

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
import threading
from datetime import datetime, timedelta
from typing import Any

from celery import Task
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerOperationalError

from portal.celery import app, discover_tasks
from portal.metrics import CELERY_PUBLISH_FAILURES

logger = logging.getLogger(__name__)

# Celery wraps connection failures in kombu's OperationalError once its publish retries are spent;
# OSError covers sockets failing outside those retries.
BROKER_ERRORS: tuple[type[Exception], ...] = (BrokerOperationalError, OSError)


_DISCOVERY = threading.Lock()


class UnknownJob(LookupError):
    """``send_job`` was given a name no Celery task is registered under."""


def job_task(name: str) -> Task:
    """The task registered as ``name``; its module is imported on first use. Raises ``UnknownJob``."""
    if not isinstance(name, str):
        raise TypeError(f"jobs are sent by task name (such as 'catalog.refresh_location'), not {name!r}")
    if name not in app.tasks:
        # A web process imports no tasks module by itself (services never do): import them all once.
        # One thread at a time: a second thread must not look the name up while the first is still
        # importing (gunicorn threads sending their first jobs together saw half-imported modules).
        with _DISCOVERY:
            if name not in app.tasks:
                discover_tasks()
    try:
        return app.tasks[name]
    except KeyError:
        raise UnknownJob(f"no background job is registered as {name!r}") from None


def send_job(name: str, *args: Any, **kwargs: Any) -> None:
    """Send the task registered as ``name`` once the current transaction commits (now, outside one).

    The name is checked now; a broker outage at commit is logged and counted, never raised.
    """
    task = job_task(name)
    transaction.on_commit(lambda: _publish(task, args, kwargs))


def send_job_now(name: str, *args: Any, **kwargs: Any) -> bool:
    """Send the task registered as ``name`` now; False (logged and counted) when the broker is unreachable.

    For callers already past their commit (``entities_changed`` receivers, the sweepers) and those
    that tell the user whether the job was queued.
    """
    return _publish(job_task(name), args, kwargs)


def _publish(task: Task, args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    try:
        task.delay(*args, **kwargs)
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


def redispatch_cutoff() -> datetime:
    """Jobs queued before this moment and still not started are sent to the broker again."""
    return timezone.now() - timedelta(seconds=settings.JOB_REDISPATCH_AFTER)


# The most jobs of one kind a sweep sends again: a long backlog is drained over several ticks.
REDISPATCH_BATCH = 500

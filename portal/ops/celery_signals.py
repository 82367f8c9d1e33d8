"""Celery signal receivers: job counts and durations per task name."""

from __future__ import annotations

import os
import time
from typing import Any

from celery.signals import (
    before_task_publish,
    task_postrun,
    task_prerun,
    worker_init,
    worker_process_shutdown,
    worker_ready,
)
from django.conf import settings

from portal.metrics import CELERY_TASK_SECONDS, CELERY_TASKS, CELERY_TASKS_PUBLISHED

from .exposition import clear_multiprocess_dir, mark_process_dead, start_worker_exporter

# task id -> start time, in the process that runs the task (one task at a time per prefork child).
_started: dict[str, float] = {}


def count_published(sender: str | None = None, **kwargs: Any) -> None:
    CELERY_TASKS_PUBLISHED.labels(sender or "unknown").inc()


def note_start(task_id: str | None = None, **kwargs: Any) -> None:
    if task_id:
        _started[task_id] = time.perf_counter()


def record_finish(task_id: str | None = None, task: Any = None, state: str | None = None, **kwargs: Any) -> None:
    name = getattr(task, "name", None) or "unknown"
    started = _started.pop(task_id, None) if task_id else None
    if started is not None:
        CELERY_TASK_SECONDS.labels(name).observe(time.perf_counter() - started)
    CELERY_TASKS.labels(name, (state or "unknown").lower()).inc()


def serve_worker_metrics(**kwargs: Any) -> None:
    """In the worker's main process: export job metrics when WORKER_METRICS_PORT is set."""
    if settings.WORKER_METRICS_PORT:
        start_worker_exporter(settings.WORKER_METRICS_PORT, settings.WORKER_METRICS_ADDRESS)


def clear_stale_metrics(**kwargs: Any) -> None:
    """In the worker's main process, before children start: files of a previous run would add up."""
    clear_multiprocess_dir()


def forget_child(pid: int | None = None, **kwargs: Any) -> None:
    mark_process_dead(pid or os.getpid())


def connect() -> None:
    """Connect the receivers once (called from ``PortalConfig.ready``)."""
    before_task_publish.connect(count_published, dispatch_uid="portal.ops.metrics.publish", weak=False)
    task_prerun.connect(note_start, dispatch_uid="portal.ops.metrics.prerun", weak=False)
    task_postrun.connect(record_finish, dispatch_uid="portal.ops.metrics.postrun", weak=False)
    worker_init.connect(clear_stale_metrics, dispatch_uid="portal.ops.metrics.clear", weak=False)
    worker_ready.connect(serve_worker_metrics, dispatch_uid="portal.ops.metrics.exporter", weak=False)
    worker_process_shutdown.connect(forget_child, dispatch_uid="portal.ops.metrics.child_exit", weak=False)

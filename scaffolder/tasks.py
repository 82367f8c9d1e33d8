"""Celery entry points: run a task, and fail tasks whose worker died (the periodic reaper)."""

from __future__ import annotations

import logging
import time
from typing import Any

from celery import shared_task

from portal.jobs import REDISPATCH_BATCH, redispatch_cutoff, send_job_now
from portal.permissions import is_platform_admin

from . import secrets as secret_store
from .models import Task
from .runner import Run, RunSpec
from .services import claim_task, fail_stale_tasks, heartbeat, open_tasks_to_redispatch
from .services.runs import fail_crashed_task, finish_task, record_task_event
from .workspace_archive import remove_expired_workspaces

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 1.0


@shared_task(name="scaffolder.run_task", acks_late=True)
def run_task(task_id: str) -> str | None:
    """Run an open task. A task already processing is not run again: its worker may have died
    half-way, so the reaper fails it once its heartbeat is stale rather than repeating side effects."""
    task = claim_task(task_id)
    if task is None:
        logger.info("task %s is not open; not running it", task_id)
        return None
    return execute_task(task)


@shared_task(name="scaffolder.redispatch_open_tasks")
def redispatch_open_tasks_task() -> int:
    """The periodic sweeper: runs still open after ``JOB_REDISPATCH_AFTER`` seconds are sent again."""
    task_ids = open_tasks_to_redispatch(redispatch_cutoff(), REDISPATCH_BATCH)
    for task_id in task_ids:
        send_job_now(run_task.name, task_id)
    if task_ids:
        logger.warning("sent %d waiting scaffolder tasks to the job queue again", len(task_ids))
    return len(task_ids)


@shared_task(name="scaffolder.fail_stale_tasks")
def fail_stale_tasks_task() -> int:
    """The periodic reaper: tasks whose heartbeat stopped are marked failed with a log line."""
    return len(fail_stale_tasks())


@shared_task(name="scaffolder.remove_expired_workspaces")
def remove_expired_workspaces_task() -> int:
    """The periodic cleaner: kept workspaces past ``SCAFFOLDER["WORKSPACE_RETENTION"]`` are deleted."""
    return remove_expired_workspaces()


class _Liveness:
    """Heartbeats and the cancel flag, read at most once a second however often actions ask."""

    def __init__(self, task_id: str) -> None:
        self.task_id = task_id
        self.last = 0.0
        self.cancelled = False

    def __call__(self) -> bool:
        now = time.monotonic()
        if now - self.last >= HEARTBEAT_SECONDS:
            self.last = now
            self.cancelled = heartbeat(self.task_id)
        return self.cancelled


def execute_task(task: Task) -> str:
    """Run a claimed task to its end and store the outcome; secrets are erased whatever happens."""
    stored = secret_store.decrypt(task.encrypted_secrets)
    form_secrets, request_secrets = stored.get("values") or {}, stored.get("secrets") or {}
    liveness = _Liveness(str(task.pk))

    def emit(type: str, body: dict[str, Any]) -> None:
        record_task_event(task.pk, type, body)
        liveness()

    spec = RunSpec(
        task_id=str(task.pk),
        template=task.template_body,
        values=secret_store.restore_values(task.values, form_secrets),
        secrets=request_secrets,
        user={"entity": task.user_entity, "ref": task.created_by_ref},
        base_url=task.base_url,
        template_ref=task.template_ref,
        is_dry_run=task.is_dry_run,
        trusted=is_platform_admin(task.created_by),
        redact=secret_store.secret_texts(form_secrets),
        keep_workspace=True,
    )
    try:
        result = Run(spec, emit, is_cancelled=liveness).execute()
    except Exception as error:  # the runner handles action failures; this is a bug or a lost database
        logger.exception("scaffolder task %s crashed", task.pk)
        fail_crashed_task(task.pk, error)
        raise
    finish_task(task.pk, status=result.status, output=result.output, files=result.files, error=result.error)
    return result.status

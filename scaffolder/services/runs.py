"""What a running task writes: its events as steps report them, and its outcome at the end.

The worker calls these (``scaffolder.tasks.execute_task``). A run is the task the user asked for, so
nothing here records an audit event: ``scaffolder.run`` was recorded when the task was created.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from ..models import Task, TaskEvent

MAX_ERROR_LENGTH = 5000


def record_task_event(task_id: Any, type: str, body: dict[str, Any]) -> TaskEvent:
    """Store one event of a run (a log line, a step's status, the completion)."""
    return TaskEvent.objects.create(
        task_id=task_id, type=type, body=body, step_id=body.get("stepId", ""), status=body.get("status", "")
    )


def finish_task(task_id: Any, *, status: str, output: dict[str, Any], files: list[dict[str, Any]], error: str) -> None:
    """Store a run's outcome and erase its secrets."""
    now = timezone.now()
    Task.objects.filter(pk=task_id).update(
        status=status,
        output=output,
        files=files,
        error=error[:MAX_ERROR_LENGTH],
        finished_at=now,
        last_heartbeat_at=now,
        encrypted_secrets="",
    )


def fail_crashed_task(task_id: Any, error: BaseException) -> None:
    """Mark a task failed after the runner itself crashed (a bug or a lost database); secrets go."""
    Task.objects.filter(pk=task_id).update(
        status=Task.Status.FAILED, error=f"{type(error).__name__}", finished_at=timezone.now(), encrypted_secrets=""
    )

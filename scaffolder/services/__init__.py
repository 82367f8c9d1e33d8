"""Creating, cancelling and retrying scaffolder tasks; the Create form, the API and the pages call these."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from catalog.models import Entity
from portal.identity import user_entity_ref
from portal.jobs import send_job
from portal.services.audit import record_write

from .. import secrets as secret_store
from ..models import Task, TaskEvent
from ..parameter_validation import validate_all
from ..parameters import FieldError, secret_fields

TEMPLATE_API_VERSION = "scaffolder.backstage.io/v1beta3"


class TaskValidationError(ValueError):
    """Values (or the template) refused before a task is created; ``errors`` name the fields."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(str(error) for error in errors))
        self.errors = errors


class TaskStateError(ValueError):
    """An action not possible in the task's current status (cancel a finished task, retry a running one)."""


def check_template(template: Entity) -> None:
    if template.kind.lower() != "template":
        raise TaskValidationError([FieldError("templateRef", f"{template.ref} is not a Template")])
    if template.body.get("apiVersion") != TEMPLATE_API_VERSION:
        raise TaskValidationError([FieldError("apiVersion", "Unsupported apiVersion field in schema entity")])


def check_values(template_body: dict[str, Any], values: Any) -> list[FieldError]:
    """Refuse values that are not an object, are too large, or fail the template's parameter schema."""
    if not isinstance(values, dict):
        return [FieldError("values", "must be an object")]
    size = len(json.dumps(values))
    limit = settings.SCAFFOLDER["MAX_VALUES_BYTES"]
    if size > limit:
        return [FieldError("values", f"are {size} bytes, over the limit of {limit}")]
    return validate_all(template_body, values)


def user_identity(user) -> tuple[str, dict[str, Any] | None]:
    """The user's catalog ref (``createdBy``) and their User entity body for ``user.entity``."""
    ref = user_entity_ref(user) if user is not None else None
    if ref:
        entity = Entity.objects.filter(ref=ref).values_list("body", flat=True).first()
        return ref, entity
    if user is not None and user.is_authenticated:
        return f"user:default/{user.get_username()}".lower(), None
    return "", None


@transaction.atomic
def create_task(
    template: Entity,
    values: dict,
    user,
    *,
    dry_run: bool = False,
    secrets: dict[str, str] | None = None,
    retry_of: Task | None = None,
) -> Task:
    """Validate ``values`` against the template's parameters, store a task, and queue it after commit.

    Secret fields are masked in the stored values; their real values and ``secrets`` are kept
    encrypted until the run ends. Raises ``TaskValidationError`` naming each refused field.
    """
    check_template(template)
    errors = check_values(template.body, values)
    if errors:
        raise TaskValidationError(errors)
    stored, form_secrets = secret_store.split_values(values, secret_fields(template.body))
    created_by_ref, user_entity = user_identity(user)
    task = Task.objects.create(
        template_ref=template.ref,
        template_title=template.title or template.name,
        template_body=template.body,
        base_url=template.location_key,
        values=stored,
        encrypted_secrets=secret_store.encrypt({"values": form_secrets, "secrets": secrets or {}}),
        is_dry_run=dry_run,
        created_by=user if user is not None and user.is_authenticated else None,
        created_by_ref=created_by_ref,
        user_entity=user_entity,
        retry_of=retry_of,
    )
    record_write("scaffolder.run", template.ref, task=str(task.pk), dry_run=dry_run)
    enqueue_task(task)
    return task


def enqueue_task(task: Task) -> None:
    """Queue the run after commit; with the broker down it stays open and the sweeper sends it later."""
    send_job("scaffolder.run_task", str(task.pk))


def open_tasks_to_redispatch(cutoff: datetime, limit: int) -> list[str]:
    """Ids of tasks still open (never claimed by a worker) that were created before ``cutoff``."""
    waiting = (
        Task.objects.filter(status=Task.Status.OPEN, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    return [str(pk) for pk in waiting]


def delete_tasks(task_ids: Iterable[str]) -> int:
    """Delete tasks with their events (the scaffolder benchmark's runs); how many tasks were deleted."""
    ids = list(task_ids)
    with transaction.atomic():
        # Retries of these tasks keep their own rows; their ``retry_of`` is cleared (SET_NULL).
        return Task.objects.filter(pk__in=ids).delete()[1].get(Task._meta.label, 0)


@transaction.atomic
def cancel_task(task: Task) -> Task:
    """Ask a task to stop: an open task is cancelled at once; a running one stops at its next check."""
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.is_finished:
        raise TaskStateError(f"the task is already {task.status}")
    task.cancel_requested = True
    if task.status == Task.Status.OPEN:
        task.status = Task.Status.CANCELLED
        task.finished_at = timezone.now()
        task.encrypted_secrets = ""
        TaskEvent.objects.create(
            task=task, type=TaskEvent.Type.CANCELLED, status="cancelled",
            body={"message": "The task was cancelled before it started.", "status": "cancelled"},
        )  # fmt: skip
    task.save(update_fields=["cancel_requested", "status", "finished_at", "encrypted_secrets"])
    record_write("scaffolder.cancel", task.template_ref, task=str(task.pk))
    return task


def retry_task(task: Task, user) -> Task:
    """A new task with the same template snapshot and values (secrets must be entered again)."""
    if task.status not in (Task.Status.FAILED, Task.Status.CANCELLED):
        raise TaskStateError("only a failed or cancelled task can be retried")
    with transaction.atomic():
        created_by_ref, user_entity = user_identity(user)
        retry = Task.objects.create(
            template_ref=task.template_ref,
            template_title=task.template_title,
            template_body=task.template_body,
            base_url=task.base_url,
            values=task.values,
            is_dry_run=task.is_dry_run,
            created_by=user if user is not None and user.is_authenticated else None,
            created_by_ref=created_by_ref,
            user_entity=user_entity,
            retry_of=task,
        )
        record_write("scaffolder.retry", task.template_ref, task=str(retry.pk), retry_of=str(task.pk))
        enqueue_task(retry)
    return retry


def claim_task(task_id: str) -> Task | None:
    """Move an open task to processing; None when another worker has it or it is no longer open."""
    now = timezone.now()
    claimed = Task.objects.filter(pk=task_id, status=Task.Status.OPEN).update(
        status=Task.Status.PROCESSING, started_at=now, last_heartbeat_at=now
    )
    return Task.objects.filter(pk=task_id).first() if claimed else None


def heartbeat(task_id: str) -> bool:
    """Record that the run is alive; returns whether cancelling was asked."""
    Task.objects.filter(pk=task_id, status=Task.Status.PROCESSING).update(last_heartbeat_at=timezone.now())
    return Task.objects.filter(pk=task_id, cancel_requested=True).exists()


STALE_MESSAGE = "This task was marked as stale as it exceeded its timeout"


def fail_stale_tasks(*, timeout_seconds: int | None = None) -> list[str]:
    """Fail tasks whose worker stopped sending heartbeats (it died); each gets a failed log event."""
    timeout = timeout_seconds if timeout_seconds is not None else settings.SCAFFOLDER["TASK_TIMEOUT"]
    cutoff = timezone.now() - timezone.timedelta(seconds=timeout)
    stale = list(
        Task.objects.filter(status=Task.Status.PROCESSING, last_heartbeat_at__lt=cutoff).values_list("pk", flat=True)
    )
    failed = []
    for task_id in stale:
        with transaction.atomic():
            updated = Task.objects.filter(pk=task_id, status=Task.Status.PROCESSING, last_heartbeat_at__lt=cutoff)
            if not updated.update(
                status=Task.Status.FAILED, finished_at=timezone.now(), error=STALE_MESSAGE, encrypted_secrets=""
            ):
                continue
            step = _running_step(task_id)
            TaskEvent.objects.create(
                task_id=task_id, type=TaskEvent.Type.LOG, step_id=step, status="failed",
                body={"message": STALE_MESSAGE, "stepId": step, "status": "failed"},
            )  # fmt: skip
            TaskEvent.objects.create(
                task_id=task_id, type=TaskEvent.Type.COMPLETION,
                body={"message": "Run completed with status: failed", "error": {"name": "Error",
                                                                                 "message": STALE_MESSAGE}},
            )  # fmt: skip
            failed.append(str(task_id))
    return failed


def _running_step(task_id: Any) -> str:
    last = TaskEvent.objects.filter(task_id=task_id, status="processing").exclude(step_id="").order_by("-id").first()
    return last.step_id if last else ""


__all__ = ["TaskStateError", "TaskValidationError", "cancel_task", "create_task", "retry_task"]

"""Backstage's scaffolder JSON shapes: ``SerializedTask`` and ``SerializedTaskEvent``."""

from __future__ import annotations

from typing import Any

from ..models import Task, TaskEvent
from ..runner import steps_of


def _iso(moment) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def task_spec(task: Task) -> dict[str, Any]:
    """The stored spec as Backstage shows it; secret values stay masked, secrets are never included."""
    spec = task.template_body.get("spec") or {}
    metadata = task.template_body.get("metadata") or {}
    return {
        "apiVersion": task.template_body.get("apiVersion"),
        "steps": steps_of(task.template_body),
        "output": spec.get("output") or {},
        "parameters": task.values,
        "user": {"ref": task.created_by_ref, "entity": task.user_entity},
        "templateInfo": {"entityRef": task.template_ref, "baseUrl": task.base_url, "entity": {"metadata": metadata}},
    }


def serialize_task(task: Task) -> dict[str, Any]:
    return {
        "id": str(task.pk),
        "spec": task_spec(task),
        "status": task.status,
        "createdAt": _iso(task.created_at),
        "lastHeartbeatAt": _iso(task.last_heartbeat_at),
        "createdBy": task.created_by_ref,
    }


def serialize_event(event: TaskEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "taskId": str(event.task_id),
        "type": event.type,
        "body": event.body,
        "createdAt": _iso(event.created_at),
    }

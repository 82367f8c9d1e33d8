"""Named reads of scaffolder tasks, and who may see or act on one."""

from __future__ import annotations

from django.db.models import QuerySet

from portal.permissions import is_platform_admin

from .models import Task


def tasks_visible_to(user) -> QuerySet[Task]:
    """A platform admin sees every task; anyone else the tasks they started."""
    if user is None or not user.is_authenticated:
        return Task.objects.none()
    if is_platform_admin(user):
        return Task.objects.all()
    return Task.objects.filter(created_by=user)


def can_manage_task(user, task: Task) -> bool:
    """Cancel and retry: the task's creator or a platform admin."""
    if user is None or not user.is_authenticated:
        return False
    return task.created_by_id == user.pk or is_platform_admin(user)

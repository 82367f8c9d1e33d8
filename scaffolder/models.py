"""Scaffolder runs: a task made from a template and the values someone entered, and its event log."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse


class Task(models.Model):
    """One run of a template. ``template_body`` is a snapshot, so later catalog edits do not change it.

    ``values`` hold the form values with secret fields replaced by a mask; the secrets themselves
    live only in ``encrypted_secrets`` (Fernet, keyed from ``SECRET_KEY``) while the run is pending,
    and are erased when it ends.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Waiting"
        PROCESSING = "processing", "Running"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    FINAL_STATUSES = (Status.COMPLETED, Status.FAILED, Status.CANCELLED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    template_ref = models.CharField(max_length=400, db_index=True)
    template_title = models.CharField(max_length=400, blank=True)
    template_body = models.JSONField()
    base_url = models.TextField(blank=True, help_text="Where relative skeleton URLs resolve (the template's location).")
    values = models.JSONField(default=dict)
    encrypted_secrets = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True)
    is_dry_run = models.BooleanField(default=False)
    cancel_requested = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="scaffolder_tasks"
    )
    created_by_ref = models.CharField(max_length=400, blank=True, db_index=True)
    user_entity = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_heartbeat_at = models.DateTimeField(null=True, blank=True)
    output = models.JSONField(default=dict, blank=True)
    files = models.JSONField(default=list, blank=True, help_text="A dry run's files: [{path, executable, content}].")
    error = models.TextField(blank=True)
    retry_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="retries")

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["created_by", "-created_at"], name="scaffolder_task_by_user"),
            models.Index(fields=["status", "last_heartbeat_at"], name="scaffolder_task_heartbeat"),
        ]

    def __str__(self) -> str:
        return f"{self.template_ref} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("scaffolder:task_detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINAL_STATUSES

    @property
    def steps(self) -> list[dict]:
        """The template's steps with Backstage's defaults for a missing id and name."""
        from .runner import steps_of

        return steps_of(self.template_body)


class TaskEvent(models.Model):
    """One entry of a task's log, in Backstage's event shape (``log``, ``completion``, ``cancelled``)."""

    class Type(models.TextChoices):
        LOG = "log"
        COMPLETION = "completion"
        CANCELLED = "cancelled"
        RECOVERED = "recovered"

    id = models.BigAutoField(primary_key=True)
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=20, choices=Type.choices, default=Type.LOG)
    body = models.JSONField(default=dict)
    step_id = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["task", "id"], name="scaffolder_event_task")]

    def __str__(self) -> str:
        return f"{self.type}: {self.body.get('message', '')}"[:200]

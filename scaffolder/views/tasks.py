"""The run pages: a task's live progress (htmx polls a fragment until it ends) and the run history."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import DetailView, ListView

from portal.views import HtmxPageMixin

from ..filtersets import TaskFilterSet
from ..models import Task
from ..querysets import can_manage_task, tasks_visible_to
from ..services import TaskStateError, cancel_task, retry_task
from ..task_page import dry_run_files, dry_run_tree, output_links, output_texts, step_outputs, step_rows
from ..workspace_archive import ARCHIVE_FORMATS, WorkspaceUnavailable, kept_workspace_of

POLL_SECONDS = 1


class TaskDetailView(LoginRequiredMixin, HtmxPageMixin, DetailView):
    """One run: per-step status, the log, and the output links and text once it has finished."""

    template_name = "scaffolder/task_detail.html"
    partial_name = "scaffolder/partials/task_progress.html"
    context_object_name = "task"

    def get_queryset(self):
        return tasks_visible_to(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        task: Task = self.object
        events = list(task.events.all())
        context.update(
            events=[event for event in events if event.body.get("message")],
            steps=step_rows(task, events),
            can_manage=can_manage_task(self.request.user, task),
            poll_seconds=POLL_SECONDS,
            links=output_links(task),
            texts=output_texts(task),
            dry_run_files=dry_run_tree(dry_run_files(task)) if task.is_dry_run else [],
            step_outputs=step_outputs(events) if task.is_dry_run else [],
            workspace=_workspace_download(self.request.user, task),
        )
        return context


def _workspace_download(user, task: Task) -> dict[str, Any] | None:
    """The download links of a finished run's kept workspace, for those who may download it."""
    if not task.is_finished or task.is_dry_run or not can_manage_task(user, task):
        return None
    try:
        kept = kept_workspace_of(task)
    except WorkspaceUnavailable as unavailable:
        return {"unavailable": str(unavailable)} if unavailable.status == 410 else None
    return {"formats": list(ARCHIVE_FORMATS), "expires_at": kept.expires_at}


class TaskListView(LoginRequiredMixin, ListView):
    """The signed-in user's runs (every run for a platform admin), newest first, filterable by template."""

    template_name = "scaffolder/task_list.html"
    context_object_name = "tasks"
    paginate_by = 25

    def get_queryset(self):
        tasks = tasks_visible_to(self.request.user).only(
            "id",
            "template_ref",
            "template_title",
            "status",
            "created_at",
            "finished_at",
            "created_by_ref",
            "is_dry_run",
        )
        return TaskFilterSet(self.request.GET, queryset=tasks).qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["templates"] = (
            tasks_visible_to(self.request.user)
            .order_by("template_ref")
            .values_list("template_ref", flat=True)
            .distinct()
        )
        context["selected_template"] = self.request.GET.get("template", "").strip().lower()
        return context


class _TaskActionView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def task(self, request: HttpRequest, pk: str) -> Task:
        task = get_object_or_404(tasks_visible_to(request.user), pk=pk)
        if not can_manage_task(request.user, task):
            raise PermissionDenied("Only the task's creator or a platform admin may do this.")
        return task


class TaskCancelView(_TaskActionView):
    def post(self, request: HttpRequest, pk: str) -> HttpResponse:
        task = self.task(request, pk)
        try:
            cancel_task(task)
            messages.success(request, "Cancelling the run: it stops before its next step.")
        except TaskStateError as error:
            messages.error(request, f"Cannot cancel: {error}.")
        return redirect(task)


class TaskRetryView(_TaskActionView):
    def post(self, request: HttpRequest, pk: str) -> HttpResponse:
        task = self.task(request, pk)
        try:
            retry = retry_task(task, request.user)
        except TaskStateError as error:
            messages.error(request, f"Cannot retry: {error}.")
            return redirect(task)
        messages.success(request, "Started again with the same values.")
        return redirect(retry)


__all__ = ["TaskCancelView", "TaskDetailView", "TaskListView", "TaskRetryView"]

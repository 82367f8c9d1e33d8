"""Downloading a finished run's kept workspace as a zip or tar.gz archive."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.views import View

from ..models import Task
from ..querysets import can_manage_task
from ..workspace_archive import ARCHIVE_FORMATS, WorkspaceUnavailable, kept_workspace_of, stream_archive


class TaskWorkspaceView(LoginRequiredMixin, View):
    """The run's workspace, streamed; only for the task's creator and platform admins."""

    def get(self, request: HttpRequest, pk, archive_format: str) -> HttpResponse:
        if archive_format not in ARCHIVE_FORMATS:
            raise Http404("Workspaces download as .zip or .tar.gz")
        task = get_object_or_404(Task, pk=pk)
        if not can_manage_task(request.user, task):
            raise PermissionDenied("Only the person who started this run, or a platform admin, may download it.")
        try:
            kept = kept_workspace_of(task)
        except WorkspaceUnavailable as unavailable:
            return HttpResponse(str(unavailable), status=unavailable.status, content_type="text/plain; charset=utf-8")
        folder = f"{task.template_ref.rsplit('/', 1)[-1] or 'workspace'}-{str(task.pk)[:8]}"
        response = StreamingHttpResponse(
            stream_archive(kept.root, archive_format, folder), content_type=ARCHIVE_FORMATS[archive_format]
        )
        response["Content-Disposition"] = f'attachment; filename="{folder}.{archive_format}"'
        response["Cache-Control"] = "private, no-store"
        return response

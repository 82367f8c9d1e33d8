"""The scaffolder API under ``/api/scaffolder/v2/``, in Backstage's paths and shapes."""

from __future__ import annotations

import base64
import binascii
import json
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.formats.refs import InvalidEntityRef, parse_entity_ref
from catalog.models import Entity
from portal.api.errors import ConflictError, InputError, NotAllowedError, NotFoundError
from portal.api.renderers import FastJSONRenderer
from portal.api.schema import CONFLICT, CREATED
from portal.permissions import is_platform_admin

from ..actions import all_actions
from ..filtersets import TaskFilterSet
from ..models import Task, TaskEvent
from ..parameters import FieldError, parameter_schema
from ..querysets import can_manage_task, tasks_visible_to
from ..runner import Run, RunSpec
from ..services import (
    TaskStateError,
    TaskValidationError,
    cancel_task,
    check_values,
    create_task,
    retry_task,
    user_identity,
)
from ..workspace import WorkspaceError, clean_relative
from .long_poll import wait_for_events
from .serializers import serialize_event, serialize_task

EVENT_STREAM_SECONDS = 300
ORDER_FIELDS = {"created_at": "created_at", "status": "status", "created_by": "created_by_ref"}


def validation_errors(errors: list[FieldError]) -> Response:
    """Backstage's ``400 {errors: [ValidationError]}`` answer to values that fail the parameter schema."""
    body = [
        {
            "name": "ValidationError",
            "property": f"instance.{error.field}" if error.field else "instance",
            "path": error.field.split(".") if error.field else [],
            "message": error.message,
            "stack": f"instance.{error.field} {error.message}" if error.field else error.message,
        }
        for error in errors
    ]
    return Response({"errors": body}, status=status.HTTP_400_BAD_REQUEST)


def template_by_ref(ref: Any) -> Entity:
    if not isinstance(ref, str) or not ref:
        raise InputError("templateRef is required, e.g. template:default/my-template")
    try:
        parsed = parse_entity_ref(ref, default_kind="template")
    except InvalidEntityRef as error:
        raise InputError(f"templateRef: {error}") from None
    if parsed.kind.lower() != "template":
        raise InputError(f"templateRef: {ref} is not a Template reference")
    entity = Entity.objects.filter(ref=str(parsed)).first()
    if entity is None:
        raise NotFoundError(f"Template {parsed} not found")
    return entity


def visible_task(request: Request, task_id: str) -> Task:
    try:
        uuid.UUID(str(task_id))
    except ValueError:
        raise NotFoundError(f"Task with id {task_id} does not exist") from None
    task = tasks_visible_to(request.user).filter(pk=task_id).first()
    if task is None:
        raise NotFoundError(f"Task with id {task_id} does not exist")
    return task


def _body(request: Request) -> dict[str, Any]:
    if not isinstance(request.data, dict):
        raise InputError("the request body must be a JSON object")
    return request.data


def _secrets(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(item, str) for item in value.values()):
        raise InputError("secrets must be an object of strings")
    return value


class TaskListView(APIView):
    """``GET /v2/tasks`` (``createdBy``, ``status``, ``limit``, ``offset``, ``order``) and ``POST /v2/tasks``."""

    def get(self, request: Request) -> Response:
        # The same filters as the runs page (``scaffolder/filtersets.py``).
        tasks = TaskFilterSet(request.query_params, queryset=tasks_visible_to(request.user)).qs
        direction, _, field = (request.query_params.get("order") or "desc:created_at").partition(":")
        if direction not in ("asc", "desc") or field not in ORDER_FIELDS:
            raise InputError("order must be asc: or desc: followed by created_at, status or created_by")
        tasks = tasks.order_by(("-" if direction == "desc" else "") + ORDER_FIELDS[field], "-created_at")
        limit, offset = _int_param(request, "limit", 100, 1000), _int_param(request, "offset", 0, None)
        total = tasks.count()
        page = tasks[offset : offset + limit]
        return Response({"tasks": [serialize_task(task) for task in page], "totalTasks": total})

    @extend_schema(request=OpenApiTypes.OBJECT, responses={201: CREATED})
    def post(self, request: Request) -> Response:
        body = _body(request)
        template = template_by_ref(body.get("templateRef"))
        try:
            task = create_task(template, body.get("values") or {}, request.user, secrets=_secrets(body.get("secrets")))
        except TaskValidationError as error:
            return validation_errors(error.errors)
        return Response({"id": str(task.pk)}, status=status.HTTP_201_CREATED)


def _int_param(request: Request, name: str, default: int, maximum: int | None) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InputError(f"{name} must be a whole number") from None
    if value < 0:
        raise InputError(f"{name} must not be negative")
    return min(value, maximum) if maximum else value


class TaskDetailView(APIView):
    def get(self, request: Request, task_id: str) -> Response:
        return Response(serialize_task(visible_task(request, task_id)))


def events_after(task: Task, after: Any) -> list[dict[str, Any]]:
    """Events newer than ``after``; the completion event is always included."""
    events = TaskEvent.objects.filter(task=task)
    if after not in (None, ""):
        try:
            after_id = int(after)
        except (TypeError, ValueError):
            raise InputError("after must be an event id (a whole number)") from None
        newer = list(events.filter(id__gt=after_id))
        completion = [event for event in events.filter(type=TaskEvent.Type.COMPLETION, id__lte=after_id)]
        return [serialize_event(event) for event in completion + newer]
    return [serialize_event(event) for event in events]


class TaskEventsView(APIView):
    """``GET /v2/tasks/{id}/events?after=`` long-polls: it answers when there are events, or after the cap."""

    def get(self, request: Request, task_id: str) -> Response:
        task = visible_task(request, task_id)
        after = request.query_params.get("after")
        return Response(wait_for_events(task, lambda: events_after(task, after)))


class EventStreamRenderer(BaseRenderer):
    media_type = "text/event-stream"
    format = "event-stream"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        return json.dumps(data).encode()


class TaskEventStreamView(APIView):
    """``GET /v2/tasks/{id}/eventstream``: Server-Sent Events until the completion event (or five minutes)."""

    renderer_classes = [EventStreamRenderer, *APIView.renderer_classes]

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        # The stream sets its own type; an error is a JSON body in Backstage's shape, as elsewhere.
        if isinstance(response, Response):
            request.accepted_renderer, request.accepted_media_type = FastJSONRenderer(), "application/json"
        return super().finalize_response(request, response, *args, **kwargs)

    @extend_schema(responses={(200, "text/event-stream"): OpenApiResponse(OpenApiTypes.STR, description="SSE")})
    def get(self, request: Request, task_id: str) -> StreamingHttpResponse:
        task = visible_task(request, task_id)
        after = request.query_params.get("after") or request.headers.get("Last-Event-ID")
        if after not in (None, ""):
            try:
                int(after)
            except ValueError:
                raise InputError("after must be an event id (a whole number)") from None
        response = StreamingHttpResponse(_stream(task, after), content_type="text/event-stream")
        response["Cache-Control"] = "no-cache"
        response["X-Accel-Buffering"] = "no"
        return response


def _stream(task: Task, after: Any) -> Iterator[str]:
    last = int(after) if after not in (None, "") else 0
    deadline = time.monotonic() + EVENT_STREAM_SECONDS
    while time.monotonic() < deadline:
        events = list(TaskEvent.objects.filter(task=task, id__gt=last))
        for event in events:
            last = event.pk
            yield f"id: {event.pk}\nevent: {event.type}\ndata: {json.dumps(serialize_event(event))}\n\n"
            if event.type == TaskEvent.Type.COMPLETION:
                return
        if not events:
            yield ": keep-alive\n\n"
        time.sleep(0.5)


class TaskCancelView(APIView):
    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT, 409: CONFLICT})
    def post(self, request: Request, task_id: str) -> Response:
        task = visible_task(request, task_id)
        if not can_manage_task(request.user, task):
            raise NotAllowedError("only the task's creator or a platform admin may cancel it")
        try:
            cancel_task(task)
        except TaskStateError as error:
            raise ConflictError(str(error)) from None
        return Response({"status": "cancelled"})


class TaskRetryView(APIView):
    @extend_schema(request=None, responses={201: CREATED, 409: CONFLICT})
    def post(self, request: Request, task_id: str) -> Response:
        task = visible_task(request, task_id)
        if not can_manage_task(request.user, task):
            raise NotAllowedError("only the task's creator or a platform admin may retry it")
        try:
            retry = retry_task(task, request.user)
        except TaskStateError as error:
            raise ConflictError(str(error)) from None
        return Response({"id": str(retry.pk)}, status=status.HTTP_201_CREATED)


class ActionListView(APIView):
    def get(self, request: Request) -> Response:
        return Response([action.as_backstage() for action in all_actions()])


class ParameterSchemaView(APIView):
    def get(self, request: Request, namespace: str, kind: str, name: str) -> Response:
        if kind.lower() != "template":
            raise InputError("Invalid kind, only 'Template' kind is supported")
        entity = Entity.objects.filter(ref=f"template:{namespace}/{name}".lower()).first()
        if entity is None:
            raise NotFoundError(f"Template template:{namespace}/{name} not found")
        return Response(parameter_schema(entity))


class DryRunView(APIView):
    """``POST /v2/dry-run``: run a template given inline, with no side effect, and answer with its files."""

    is_read_only_post = False

    def post(self, request: Request) -> Response:
        body = _body(request)
        template = body.get("template")
        if not isinstance(template, dict) or template.get("kind") != "Template":
            raise InputError("template must be a Template entity")
        if template.get("apiVersion") != "scaffolder.backstage.io/v1beta3":
            raise InputError("Unsupported apiVersion field in schema entity")
        values = body.get("values") or {}
        errors = check_values(template, values)
        if errors:
            return validation_errors(errors)
        created_by_ref, user_entity = user_identity(request.user)
        log: list[dict[str, Any]] = []
        with tempfile.TemporaryDirectory(prefix="scaffolder-dry-run-") as directory:
            _write_contents(Path(directory), body.get("directoryContents") or [])
            spec = RunSpec(
                task_id=str(uuid.uuid4()),
                template=template,
                values=values,
                secrets=_secrets(body.get("secrets")),
                user={"entity": user_entity, "ref": created_by_ref},
                base_url=f"file:{Path(directory).resolve()}/template.yaml",
                template_ref="template:default/dry-run",
                is_dry_run=True,
                trusted=is_platform_admin(request.user),
            )
            result = Run(spec, lambda type, event: log.append({"body": event})).execute()
        return Response(
            {
                "log": log,
                "directoryContents": result.files,
                "output": result.output,
                "steps": spec.template.get("spec", {}).get("steps") or [],
                "status": result.status,
                "error": result.error or None,
            }
        )


def _write_contents(directory: Path, contents: Any) -> None:
    if not isinstance(contents, list):
        raise InputError("directoryContents must be a list of {path, base64Content}")
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    total = 0
    for index, item in enumerate(contents):
        if not isinstance(item, dict) or not isinstance(item.get("path"), str):
            raise InputError(f"directoryContents[{index}] needs a path and base64Content")
        try:
            parts = clean_relative(item["path"], field=f"directoryContents[{index}].path")
            data = base64.b64decode(item.get("base64Content") or "", validate=True)
        except WorkspaceError as error:
            raise InputError(str(error)) from None
        except binascii.Error:
            raise InputError(f"directoryContents[{index}].base64Content is not base64") from None
        total += len(data)
        if total > limit or not parts:
            raise InputError(f"directoryContents[{index}] is empty or the contents exceed {limit} bytes")
        target = directory.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)

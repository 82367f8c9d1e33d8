"""A request id on every log line, in the response, and in the Celery jobs the request starts.

The id comes from the caller's ``X-Request-ID`` when it is sane (a proxy or load balancer usually
sets one), else a new one is made. A job published while a request (or another job) runs carries the
id in a message header; the worker restores it for the job's duration, so its logs carry it too.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar, Token
from typing import Any

from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("greenroom.jobs")

HEADER = "X-Request-ID"
# The Celery message header carrying the id to the worker.
TASK_HEADER = "greenroom_request_id"
# Ids from outside land in every log line: short, and nothing a log reader could mistake for syntax.
SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")

current_request_id: ContextVar[str] = ContextVar("greenroom_request_id", default="")


def new_request_id() -> str:
    return uuid.uuid4().hex


def accepted_request_id(raw: str | None) -> str:
    """The caller's id when it is sane, else a fresh one."""
    if raw and SANE_ID.fullmatch(raw):
        return raw
    return new_request_id()


class RequestIdMiddleware:
    """Sets the request's id for everything the request does and returns it in ``X-Request-ID``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = accepted_request_id(request.headers.get(HEADER))
        request.request_id = request_id
        token = current_request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response[HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Puts the current request id (or "-") on every record as ``request_id``."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get() or "-"
        return True


# --- Celery --------------------------------------------------------------------------------------
# task id -> (context token, start time), in the process running the task.
_running: dict[str, tuple[Token[str], float]] = {}


def add_request_id_header(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    """``before_task_publish``: the publishing request's (or job's) id goes with the message."""
    request_id = current_request_id.get()
    if request_id and headers is not None:
        headers[TASK_HEADER] = request_id


def restore_request_id(task_id: str | None = None, task: Any = None, **kwargs: Any) -> None:
    """``task_prerun``: the job runs under the id it was published with, or a new one.

    A job run in-process (eager mode, tests) has no header and keeps the caller's id.
    """
    carried = getattr(getattr(task, "request", None), TASK_HEADER, None)
    request_id = accepted_request_id(carried) if carried else (current_request_id.get() or new_request_id())
    token = current_request_id.set(request_id)
    if task_id:
        _running[task_id] = (token, time.perf_counter())
    logger.info("job started", extra={"task": getattr(task, "name", ""), "task_id": task_id})


def forget_request_id(task_id: str | None = None, task: Any = None, state: str | None = None, **kwargs: Any) -> None:
    """``task_postrun``: log the outcome and restore the id that was current before the job."""
    entry = _running.pop(task_id, None) if task_id else None
    seconds = round(time.perf_counter() - entry[1], 3) if entry else None
    logger.info(
        "job finished",
        extra={"task": getattr(task, "name", ""), "task_id": task_id, "state": state, "seconds": seconds},
    )
    if entry:
        current_request_id.reset(entry[0])


def connect() -> None:
    """Connect the Celery receivers once (called from ``PortalConfig.ready``)."""
    from celery.signals import before_task_publish, task_postrun, task_prerun

    before_task_publish.connect(add_request_id_header, dispatch_uid="portal.ops.request_id.publish", weak=False)
    task_prerun.connect(restore_request_id, dispatch_uid="portal.ops.request_id.prerun", weak=False)
    task_postrun.connect(forget_request_id, dispatch_uid="portal.ops.request_id.postrun", weak=False)

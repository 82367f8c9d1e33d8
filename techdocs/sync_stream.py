"""Following a sync build for Backstage's ``GET /sync``: its log lines as written, then the outcome.

The build runs in a Celery worker and writes its log to its row as MkDocs prints; the request reads
the row every ``POLL_SECONDS`` for at most ``TECHDOCS["SYNC_WAIT_SECONDS"]`` (capped at
``MAX_WAIT_SECONDS``, under gunicorn's default 30 s worker timeout). The build itself goes on when
the request stops following it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

from .config import techdocs_settings
from .models import DocBuild

POLL_SECONDS = 0.5
MAX_WAIT_SECONDS = 25.0
STILL_RUNNING = "the build is still running; it goes on in the background, reload the page later"


def sync_wait_seconds() -> float:
    return max(0.0, min(float(techdocs_settings()["SYNC_WAIT_SECONDS"]), MAX_WAIT_SECONDS))


def follow_build(
    build_id: int, *, seconds: float | None = None, sleep: Callable[[float], None] = time.sleep
) -> Iterator[tuple[str, Any]]:
    """``("log", line)`` for each complete new log line, then ``("finish", {"updated": bool})`` or
    ``("error", message)``; ``("timeout", message)`` when the wait ends before the build."""
    deadline = time.monotonic() + (sync_wait_seconds() if seconds is None else seconds)
    sent = 0
    while True:
        row = DocBuild.objects.filter(pk=build_id).values("status", "log", "error").first()
        if row is None:
            yield "error", "the build is gone"
            return
        finished = row["status"] in (DocBuild.Status.SUCCEEDED, DocBuild.Status.FAILED, DocBuild.Status.UNCHANGED)
        lines = row["log"].splitlines()
        complete = lines if finished or row["log"].endswith("\n") else lines[:-1]
        if len(complete) < sent:  # a long log was cut at its start: carry on from its end
            sent = len(complete)
        for line in complete[sent:]:
            yield "log", line
        sent = len(complete)
        if row["status"] == DocBuild.Status.FAILED:
            yield "error", row["error"] or "the docs build failed"
            return
        if finished:
            yield "finish", {"updated": row["status"] == DocBuild.Status.SUCCEEDED}
            return
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            yield "timeout", STILL_RUNNING
            return
        sleep(min(POLL_SECONDS, remaining))

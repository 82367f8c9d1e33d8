"""Sending jobs by task name: after commit, eager in tests, unknown names refused, broker outages absorbed."""

from __future__ import annotations

import ast
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery import shared_task
from django.conf import settings
from django.db import transaction

from portal.celery import app
from portal.jobs import UnknownJob, job_task, send_job, send_job_now
from portal.metrics import CELERY_PUBLISH_FAILURES
from tests.workers import broker_unreachable

ROOT = Path(__file__).resolve().parents[2]
NOOP = "tests.portal.noop"
RECORD = "tests.portal.record"
recorded: list[tuple[tuple[object, ...], dict[str, object]]] = []


@shared_task(name=NOOP)
def noop(*args: object) -> None:
    """A task the tests send (its ``delay`` is replaced; it never runs)."""


@shared_task(name=RECORD)
def record(*args: object, **kwargs: object) -> None:
    """A task that notes its arguments when it runs (eagerly, in these tests)."""
    recorded.append((args, kwargs))


@pytest.fixture
def sent(monkeypatch) -> list[tuple[object, ...]]:
    calls: list[tuple[object, ...]] = []
    monkeypatch.setattr(noop, "delay", lambda *args: calls.append(args))
    return calls


@pytest.fixture
def eager() -> Iterator[None]:
    was_eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    recorded.clear()
    try:
        yield
    finally:
        app.conf.task_always_eager = was_eager


def failures() -> float:
    return CELERY_PUBLISH_FAILURES.labels(NOOP)._value.get()


def test_sends_the_job_now_with_its_arguments(sent):
    assert send_job_now(NOOP, "a", 1) is True
    assert sent == [("a", 1)]


def test_an_unreachable_broker_is_logged_and_counted_not_raised(monkeypatch, caplog):
    monkeypatch.setattr(noop, "delay", broker_unreachable)
    before = failures()

    with caplog.at_level(logging.WARNING, logger="portal.jobs"):
        assert send_job_now(NOOP, "a") is False

    assert failures() == before + 1
    assert caplog.messages == [
        "job queue unavailable: tests.portal.noop('a',) not sent (OperationalError: Error 111 connecting to "
        "127.0.0.1:6379. Connection refused.)"
    ]


def test_a_socket_error_counts_as_an_unreachable_broker(monkeypatch):
    def reset(*args: object) -> None:
        raise ConnectionResetError("connection reset by peer")

    monkeypatch.setattr(noop, "delay", reset)

    assert send_job_now(NOOP) is False


def test_other_errors_are_not_hidden(monkeypatch):
    def broken(*args: object) -> None:
        raise TypeError("not serializable")

    monkeypatch.setattr(noop, "delay", broken)

    with pytest.raises(TypeError):
        send_job_now(NOOP)


@pytest.mark.django_db
def test_send_job_waits_for_the_commit(sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        send_job(NOOP, 7)
        assert sent == []

    assert sent == [(7,)]


@pytest.mark.django_db
def test_jobs_are_sent_in_order_and_a_rolled_back_savepoint_sends_none(sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        send_job(NOOP, 1)
        with pytest.raises(RuntimeError), transaction.atomic():
            send_job(NOOP, 2)
            raise RuntimeError("the write failed")
        send_job(NOOP, 3)

    assert sent == [(1,), (3,)]


@pytest.mark.django_db
def test_eager_mode_runs_the_task_in_process_after_commit(eager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        send_job(RECORD, "shop", only=["techdocs"])
        assert recorded == []

    assert recorded == [(("shop",), {"only": ["techdocs"]})]


@pytest.mark.django_db
def test_after_commit_with_the_broker_down_does_not_raise(monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(noop, "delay", broker_unreachable)
    before = failures()

    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        send_job(NOOP, 7)

    assert len(callbacks) == 1
    assert failures() == before + 1


@pytest.mark.django_db
def test_an_unknown_name_is_refused_at_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(UnknownJob) as refused:
        send_job("catalog.refresh_locatoin", "42")

    assert str(refused.value) == "no background job is registered as 'catalog.refresh_locatoin'"
    assert callbacks == []


def test_a_task_object_is_refused_with_the_name_to_use_instead(sent):
    with pytest.raises(TypeError, match="sent by task name"):
        send_job_now(noop, 1)

    assert sent == []


def _job_names_in_code() -> set[str]:
    """Every literal task name passed to ``send_job``/``send_job_now`` in the apps."""
    names = set()
    for package in ("portal", "catalog", "scaffolder", "techdocs", "techradar", "soundcheck"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if (
                    isinstance(node, ast.Call)
                    and getattr(node.func, "id", getattr(node.func, "attr", None)) in ("send_job", "send_job_now")
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                ):
                    names.add(node.args[0].value)
    return names


def test_every_name_the_code_sends_and_the_beat_schedules_is_a_registered_task():
    names = _job_names_in_code() | {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert {"catalog.refresh_location", "portal.search.sync_index", "scaffolder.run_task"} <= names
    assert {name: job_task(name).name for name in names} == {name: name for name in names}


PROBE = """
import json, sys
import django
django.setup()
imported = sorted(name for name in sys.modules if name.endswith("tasks"))
from portal.jobs import job_task
print(json.dumps({"imported": imported, "found": job_task("portal.search.sync_index").name}))
"""


def test_a_process_that_imported_no_tasks_module_finds_the_task_by_name():
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert "portal.search.tasks" not in report["imported"]
    assert report["found"] == "portal.search.sync_index"

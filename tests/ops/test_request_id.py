"""Request ids: honoured or made, returned, on every log line, and carried into the jobs a request starts."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
import uuid

import pytest
from celery import shared_task
from django.conf import settings as django_settings

from catalog.tasks import refresh_location_task
from portal.ops.logging import JsonFormatter
from portal.ops.request_id import (
    TASK_HEADER,
    RequestIdFilter,
    accepted_request_id,
    add_request_id_header,
    current_request_id,
)
from tests.ops.test_settings import REPO_ROOT
from tests.workers import local_targets_env, worker_database_url


@pytest.mark.django_db
def test_sane_incoming_id_is_returned(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a.42:9")

    assert response["X-Request-ID"] == "lb-7f3a.42:9"


@pytest.mark.parametrize(
    "hostile",
    ["", "a" * 129, "id with spaces", "id\nforged-log-line", '{"json": 1}', "-starts-with-dash", "ünïcode"],
)
def test_insane_incoming_id_is_replaced(client, hostile):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=hostile)

    assert response["X-Request-ID"] != hostile
    assert len(response["X-Request-ID"]) == 32


def test_every_request_gets_its_own_id(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]

    assert first != second
    assert current_request_id.get() == ""


def test_accepted_id_keeps_uuid_spellings():
    value = str(uuid.uuid4())

    assert accepted_request_id(value) == value


def json_line(message: str, **extra: object) -> dict:
    record = logging.LogRecord("greenroom.test", logging.WARNING, __file__, 1, message, (), None)
    for key, value in extra.items():
        setattr(record, key, value)
    RequestIdFilter().filter(record)
    return json.loads(JsonFormatter().format(record))


def test_json_log_line_carries_request_id_and_extra_fields():
    token = current_request_id.set("req-1")
    try:
        line = json_line("refresh of %s", task="catalog.refresh_location", seconds=1.5)
    finally:
        current_request_id.reset(token)

    assert line["message"] == "refresh of %s"
    assert line["request_id"] == "req-1"
    assert line["level"] == "WARNING"
    assert line["logger"] == "greenroom.test"
    assert line["task"] == "catalog.refresh_location"
    assert line["seconds"] == 1.5
    assert line["time"].endswith("+00:00")


def test_json_log_line_outside_a_request_says_so():
    assert json_line("tick")["request_id"] == "-"


def test_json_log_keeps_a_multiline_message_on_one_line():
    text = JsonFormatter().format(logging.LogRecord("x", logging.INFO, __file__, 1, "one\ntwo", (), None))

    assert "\n" not in text
    assert json.loads(text)["message"] == "one\ntwo"


def test_published_job_carries_the_current_id():
    headers: dict[str, object] = {}
    token = current_request_id.set("req-2")
    try:
        add_request_id_header(headers=headers)
    finally:
        current_request_id.reset(token)

    assert headers == {TASK_HEADER: "req-2"}


def test_job_published_outside_a_request_has_no_header():
    headers: dict[str, object] = {}

    add_request_id_header(headers=headers)

    assert headers == {}


seen_ids: list[str] = []


@shared_task(name="tests.ops.remember_request_id")
def remember_request_id() -> None:
    seen_ids.append(current_request_id.get())


def test_eager_job_runs_under_the_callers_id(eager):
    seen_ids.clear()
    token = current_request_id.set("req-3")
    try:
        remember_request_id.delay()
        after = current_request_id.get()
    finally:
        current_request_id.reset(token)

    assert seen_ids == ["req-3"]
    assert after == "req-3"


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_logs_the_job_under_the_publishing_request_id(tmp_path, write_file):
    from catalog.services.locations import register_location, validate_location_spec
    from tests.conftest import component

    queue = f"greenroom-test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "CELERY_QUEUE": queue,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        **local_targets_env(django_settings.CATALOG["LOCAL_ROOTS"]),
        "LOG_FORMAT": "json",
    }
    log_path = tmp_path / "worker.log"
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool", "solo", "-Q", queue, "-l", "INFO"],
        cwd=REPO_ROOT,
        env=env,
        stdout=log_path.open("wb"),
        stderr=subprocess.STDOUT,
    )
    request_id = f"req-{uuid.uuid4().hex[:12]}"
    try:
        location = register_location(
            validate_location_spec("file", str(write_file("c.yaml", component("web")))), trusted=True
        )
        token = current_request_id.set(request_id)
        try:
            refresh_location_task.apply_async((str(location.pk),), queue=queue)
        finally:
            current_request_id.reset(token)
        deadline = time.monotonic() + 60
        lines: list[dict] = []
        while time.monotonic() < deadline and worker.poll() is None:
            lines = [json.loads(line) for line in log_path.read_text().splitlines() if line.startswith("{")]
            if any(line["message"] == "job finished" and line["request_id"] == request_id for line in lines):
                break
            time.sleep(0.25)
        job_lines = [line for line in lines if line.get("task") == "catalog.refresh_location"]
        assert [line["message"] for line in job_lines] == ["job started", "job finished"], log_path.read_text()[-3000:]
        assert {line["request_id"] for line in job_lines} == {request_id}
        assert job_lines[1]["state"] == "SUCCESS"
    finally:
        worker.terminate()
        worker.wait(timeout=30)

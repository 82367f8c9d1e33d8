"""A real Celery worker runs scaffolder tasks: create and publish a service, cancel, and a killed worker."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from catalog.models import Entity
from scaffolder.models import Task, TaskEvent
from scaffolder.services import STALE_MESSAGE, cancel_task, create_task, fail_stale_tasks
from scaffolder.tasks import run_task
from tests.scaffolder.conftest import SERVICE_TEMPLATE, VALUES, git_show
from tests.workers import local_targets_env, worker_database_url

REPO_ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

WAIT_TEMPLATE = {
    **SERVICE_TEMPLATE,
    "metadata": {"name": "slow"},
    "spec": {
        **SERVICE_TEMPLATE["spec"],
        "steps": [
            {"id": "wait", "name": "Wait", "action": "debug:wait", "input": {"seconds": 60}},
            {"id": "after", "name": "After", "action": "debug:log", "input": {"message": "not reached"}},
        ],
        "output": {},
    },
}


@pytest.fixture
def worker(tmp_path, settings, monkeypatch) -> Iterator[subprocess.Popen]:
    """A worker process on its own queue, with the test's scaffolder settings; run_task is sent there."""
    queue = f"greenroom-test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "CELERY_QUEUE": queue,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "SCAFFOLDER_WORKING_DIRECTORY": settings.SCAFFOLDER["WORKING_DIRECTORY"],
        "SCAFFOLDER_ALLOW_FILE_REMOTES": "true",
        "SCAFFOLDER_PUBLISHERS": json.dumps(settings.SCAFFOLDER["PUBLISHERS"]),
        **local_targets_env(settings.CATALOG["LOCAL_ROOTS"]),
        "GREENROOM_CONFIG": "",
    }
    monkeypatch.setattr(run_task, "delay", lambda *args: run_task.apply_async(args, queue=queue))
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool", "solo", "-Q", queue, "--loglevel", "INFO"],
        cwd=REPO_ROOT,
        env=env,
        stdout=(tmp_path / "worker.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    process.log_path = tmp_path / "worker.log"  # type: ignore[attr-defined]
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)


def wait_for(task: Task, worker: subprocess.Popen, condition: Callable[[Task], bool], seconds: float = 60) -> Task:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        task.refresh_from_db()
        if condition(task) or worker.poll() is not None:
            break
        time.sleep(0.25)
    assert condition(task), Path(worker.log_path).read_text(errors="replace")[-3000:]  # type: ignore[attr-defined]
    return task


def test_worker_creates_publishes_and_registers_a_service(
    worker, make_template, bare_remote, alice, alice_registers_local_remotes
):
    remote = bare_remote()
    task = create_task(make_template(), VALUES, alice)
    task = wait_for(task, worker, lambda task: task.is_finished)
    assert task.status == Task.Status.COMPLETED, task.error
    assert git_show(remote, "main:catalog-info.yaml").splitlines()[3] == "  name: billing"
    entity = Entity.objects.get(ref="component:default/billing")
    assert entity.body["spec"]["owner"] == "group:default/team-a"
    assert task.output["links"][1]["entityRef"] == "component:default/billing"


def test_worker_stops_a_cancelled_run_between_checks(worker, make_template, alice):
    task = create_task(make_template(WAIT_TEMPLATE, skeleton={}), {**VALUES}, alice)
    wait_for(task, worker, lambda task: task.status == Task.Status.PROCESSING)
    cancel_task(task)
    task = wait_for(task, worker, lambda task: task.is_finished, seconds=20)
    assert task.status == Task.Status.CANCELLED
    assert TaskEvent.objects.get(task=task, type="cancelled").body["message"] == "Step wait has been cancelled."
    assert not any("not reached" in event.body.get("message", "") for event in task.events.all())


def test_a_killed_worker_leaves_the_task_failed_with_its_log(worker, make_template, alice):
    task = create_task(make_template(WAIT_TEMPLATE, skeleton={}), VALUES, alice)
    # Killed once the step has begun (the task turns "processing" a moment before its first step).
    wait_for(
        task,
        worker,
        lambda task: task.status == Task.Status.PROCESSING and task.events.filter(step_id="wait").exists(),
    )
    worker.kill()
    worker.wait(timeout=10)
    time.sleep(1.5)  # past the last heartbeat
    assert fail_stale_tasks(timeout_seconds=1) == [str(task.pk)]
    task.refresh_from_db()
    assert task.status == Task.Status.FAILED and task.error == STALE_MESSAGE
    log = [(event.step_id, event.status, event.body.get("message")) for event in task.events.all()]
    assert ("wait", "processing", "Beginning step Wait") in log
    assert ("wait", "failed", STALE_MESSAGE) in log
    assert task.encrypted_secrets == ""
    # The broker may hand the unacknowledged message to another worker: it must not run the task again.
    assert run_task(str(task.pk)) is None

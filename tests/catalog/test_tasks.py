"""Catalog jobs: the task functions themselves, and a real Celery worker running them."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from catalog.models import Entity, Location
from catalog.services import register_location, validate_location_spec
from catalog.services.refresh_requests import enqueue_refresh
from catalog.tasks import redispatch_refreshes_task, refresh_due_locations_task, refresh_location_task
from tests.conftest import REPO_ROOT, component
from tests.workers import local_targets_env, worker_database_url


@pytest.mark.django_db
def test_refresh_task_refreshes_and_reports(write_file):
    location = register_location(
        validate_location_spec("file", str(write_file("c.yaml", component("web")))), trusted=True
    )
    assert refresh_location_task(str(location.pk)) == {
        "added": 2,
        "changed": 0,
        "unchanged": 0,
        "orphaned": 0,
        "refused": 0,
    }


@pytest.mark.django_db
def test_refresh_task_for_a_deleted_location_does_nothing():
    assert refresh_location_task(str(uuid.uuid4())) is None


@pytest.mark.django_db
def test_refresh_task_skips_a_location_already_being_refreshed(write_file):
    from django.utils import timezone

    location = register_location(
        validate_location_spec("file", str(write_file("c.yaml", component("web")))), trusted=True
    )
    Location.objects.filter(pk=location.pk).update(refresh_claimed_at=timezone.now())
    assert refresh_location_task(str(location.pk)) is None
    assert not Entity.objects.exists()


@pytest.mark.django_db
def test_a_refresh_request_is_recorded_then_sent_after_commit(
    write_file, monkeypatch, django_capture_on_commit_callbacks
):
    location = register_location(
        validate_location_spec("file", str(write_file("a.yaml", component("a")))), trusted=True
    )
    queued: list[str] = []
    monkeypatch.setattr(refresh_location_task, "delay", queued.append)

    with django_capture_on_commit_callbacks(execute=True):
        enqueue_refresh(location)

    location.refresh_from_db()
    assert location.refresh_requested_at is not None
    assert queued == [str(location.pk)]


@pytest.mark.django_db
def test_refreshes_asked_for_and_not_started_in_time_are_sent_again(write_file, monkeypatch, settings):
    from datetime import timedelta

    from django.utils import timezone

    settings.JOB_REDISPATCH_AFTER = 300
    now = timezone.now()
    asked = now - timedelta(seconds=301)
    locations = {
        name: register_location(
            validate_location_spec("file", str(write_file(f"{name}.yaml", component(name)))), trusted=True
        )
        for name in ("lost", "recent", "started", "running", "never")
    }
    Location.objects.filter(pk__in=[locations[n].pk for n in ("lost", "started", "running")]).update(
        refresh_requested_at=asked
    )
    Location.objects.filter(pk=locations["recent"].pk).update(refresh_requested_at=now)
    Location.objects.filter(pk=locations["started"].pk).update(last_refresh_started_at=asked + timedelta(seconds=1))
    Location.objects.filter(pk=locations["running"].pk).update(refresh_claimed_at=now)
    queued: list[str] = []
    monkeypatch.setattr(refresh_location_task, "delay", queued.append)

    assert redispatch_refreshes_task() == 1
    assert queued == [str(locations["lost"].pk)]


@pytest.mark.django_db
def test_due_locations_tick_queues_only_locations_that_are_due(write_file, monkeypatch):
    from django.utils import timezone

    fresh = register_location(validate_location_spec("file", str(write_file("a.yaml", component("a")))), trusted=True)
    Location.objects.filter(pk=fresh.pk).update(last_refreshed_at=timezone.now())
    due = register_location(validate_location_spec("file", str(write_file("b.yaml", component("b")))), trusted=True)
    queued: list[str] = []
    monkeypatch.setattr(refresh_location_task, "delay", queued.append)

    assert refresh_due_locations_task() == 1
    assert queued == [str(due.pk)]


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_refreshes_a_location(write_file, tmp_path):
    """A Celery worker process, on the configured broker, picks up a refresh queued after commit."""
    queue = f"greenroom-test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "CELERY_QUEUE": queue,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        **local_targets_env(django_settings.CATALOG["LOCAL_ROOTS"]),
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool",
            "solo",
            "-Q",
            queue,
            "--loglevel",
            "INFO",
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=(tmp_path / "worker.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        location = register_location(
            validate_location_spec("file", str(write_file("c.yaml", component("web")))), trusted=True
        )
        refresh_location_task.apply_async((str(location.pk),), queue=queue)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            location.refresh_from_db()
            if location.status != Location.Status.PENDING or worker.poll() is not None:
                break
            time.sleep(0.25)
        log = Path(tmp_path / "worker.log").read_text(errors="replace")
        assert location.status == Location.Status.OK, log[-3000:]
        assert Entity.objects.filter(ref="component:default/web").exists()
    finally:
        worker.terminate()
        worker.wait(timeout=30)


@pytest.mark.django_db
def test_location_being_refreshed_is_not_due(write_file, monkeypatch):
    from django.utils import timezone

    busy = register_location(validate_location_spec("file", str(write_file("a.yaml", component("a")))), trusted=True)
    Location.objects.filter(pk=busy.pk).update(refresh_claimed_at=timezone.now())
    queued: list[str] = []
    monkeypatch.setattr(refresh_location_task, "delay", queued.append)
    assert refresh_due_locations_task() == 0 and queued == []

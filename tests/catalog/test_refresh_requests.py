"""``register_location(queue_refresh=True)``: the service records and enqueues the first refresh itself."""

from __future__ import annotations

import pytest
from django.db import transaction

from catalog.models import Location
from catalog.services import LocationExists, register_location, validate_location_spec
from catalog.tasks import refresh_location_task
from tests.conftest import component

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch) -> list[str]:
    sent: list[str] = []
    monkeypatch.setattr(refresh_location_task, "delay", sent.append)
    return sent


@pytest.fixture
def spec(write_file):
    return validate_location_spec("file", str(write_file("c.yaml", component("web"))))


def test_a_new_location_is_queued_for_refresh_after_commit(spec, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        location = register_location(spec, trusted=True, queue_refresh=True)
        assert queued == []

    assert queued == [str(location.pk)]
    assert Location.objects.get(pk=location.pk).refresh_requested_at is not None


def test_without_queue_refresh_nothing_is_requested(spec, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        location = register_location(spec, trusted=True)

    assert queued == [] and callbacks == []
    assert Location.objects.get(pk=location.pk).refresh_requested_at is None


def test_a_rolled_back_registration_queues_nothing(spec, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        register_location(spec, trusted=True, queue_refresh=True)
        raise RuntimeError("the caller's next write failed")

    assert queued == [] and not Location.objects.exists()


def test_a_duplicate_is_refused_and_queues_nothing(spec, queued, django_capture_on_commit_callbacks):
    stored = register_location(spec, trusted=True)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(LocationExists):
        register_location(spec, trusted=True, queue_refresh=True)

    assert queued == []
    assert Location.objects.get(pk=stored.pk).refresh_requested_at is None


def test_exists_ok_queues_the_stored_location(spec, queued, django_capture_on_commit_callbacks):
    stored = register_location(spec, trusted=True)

    with django_capture_on_commit_callbacks(execute=True):
        location = register_location(spec, exists_ok=True, trusted=True, queue_refresh=True)

    assert location.pk == stored.pk and Location.objects.count() == 1
    assert queued == [str(stored.pk)]

"""A refresh that crashes is recorded on its location, and a location that keeps failing waits longer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import DatabaseError
from django.utils import timezone

from catalog.models import Entity, Location
from catalog.services import due_locations, refresh_location, register_location, validate_location_spec
from catalog.services import refresh as refresh_module
from catalog.services.backoff import backoff_delay
from catalog.tasks import refresh_location_task
from tests.conftest import component


@pytest.fixture
def location(write_file) -> Location:
    return register_location(validate_location_spec("file", str(write_file("c.yaml", component("web")))), trusted=True)


@pytest.fixture
def broken_writes(monkeypatch):
    """Every batch write fails the way PostgreSQL's COPY failed when it ran out of memory."""

    def fail(*args, **kwargs):
        raise DatabaseError("out of memory\nDETAIL:  Failed on request of size 1073741824.")

    monkeypatch.setattr(refresh_module, "insert_rows", fail)


@pytest.mark.parametrize(("failures", "seconds"), [(0, 0), (1, 300), (2, 600), (3, 1200), (7, 3600), (500, 3600)])
def test_backoff_doubles_the_interval_per_failure_up_to_the_cap(failures, seconds):
    assert backoff_delay(failures, 300, 3600) == timedelta(seconds=seconds)


@pytest.mark.django_db
def test_a_refresh_that_raises_is_recorded_on_the_location(location, broken_writes):
    report = refresh_location(location)

    location.refresh_from_db()
    assert location.status == Location.Status.ERROR
    assert location.refresh_claimed_at is None
    assert [error["message"] for error in location.errors] == [
        "the refresh failed unexpectedly (DatabaseError: out of memory); the entities keep their last good version"
    ]
    assert [str(error) for error in report.refused] == [
        f"{location.target}: {location.errors[0]['message']}",
    ]
    assert not report.ok


@pytest.mark.django_db
def test_a_refresh_that_raises_keeps_the_stored_entities(location, write_file, monkeypatch):
    refresh_location(location)
    body = Entity.objects.get(ref="component:default/web").body
    write_file("c.yaml", component("web", owner="team-b"))

    def exhausted(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(refresh_module.Entity.objects, "filter", exhausted)
    refresh_location(location)
    monkeypatch.undo()

    assert Entity.objects.get(ref="component:default/web").body == body
    location.refresh_from_db()
    assert location.errors[0]["message"].startswith("the refresh failed unexpectedly (MemoryError: no details)")


@pytest.mark.django_db
def test_the_task_records_the_failure_instead_of_raising(location, broken_writes):
    assert refresh_location_task(str(location.pk))["refused"] == 1

    location.refresh_from_db()
    assert location.status == Location.Status.ERROR


@pytest.mark.django_db
def test_each_failure_in_a_row_doubles_the_wait(location, broken_writes, settings):
    settings.CATALOG = {**settings.CATALOG, "REFRESH_INTERVAL": 300, "REFRESH_BACKOFF_MAX": 3600}
    waits = []
    for _ in range(4):
        before = timezone.now()
        refresh_location(location)
        location.refresh_from_db()
        waits.append(round((location.next_refresh_at - before).total_seconds() / 100) * 100)

    assert location.consecutive_failures == 4
    assert waits == [300, 600, 1200, 2400]


@pytest.mark.django_db
def test_a_location_in_backoff_is_not_due_until_its_time(location, broken_writes):
    refresh_location(location)
    assert due_locations() == []

    Location.objects.filter(pk=location.pk).update(next_refresh_at=timezone.now() - timedelta(seconds=1))

    assert due_locations() == [location]


@pytest.mark.django_db
def test_an_asked_for_refresh_runs_during_backoff_and_success_resets_it(location, broken_writes, monkeypatch):
    refresh_location(location)
    monkeypatch.undo()

    refresh_location_task(str(location.pk))

    location.refresh_from_db()
    assert (location.status, location.consecutive_failures, location.next_refresh_at) == (
        Location.Status.OK,
        0,
        None,
    )


@pytest.mark.django_db
def test_an_unreadable_target_counts_as_a_failure(tmp_path):
    missing = register_location(validate_location_spec("file", str(tmp_path / "gone.yaml")), trusted=True)

    refresh_location(missing)

    missing.refresh_from_db()
    assert missing.status == Location.Status.ERROR
    assert missing.consecutive_failures == 1
    assert missing.next_refresh_at is not None


@pytest.mark.django_db
def test_a_refused_document_is_not_a_failure_of_the_location(write_file):
    location = register_location(validate_location_spec("file", str(write_file("bad.yaml", "a: [\n"))), trusted=True)

    refresh_location(location)

    location.refresh_from_db()
    assert location.status == Location.Status.ERROR
    assert (location.consecutive_failures, location.next_refresh_at) == (0, None)


@pytest.mark.django_db
def test_a_crash_keeps_the_errors_of_the_last_completed_refresh(write_file, monkeypatch):
    path = write_file("two.yaml", component("web") + "---\na: [\n")
    location = register_location(validate_location_spec("file", str(path)), trusted=True)
    refresh_location(location)
    location.refresh_from_db()
    earlier = location.errors
    assert earlier
    monkeypatch.setattr(refresh_module, "insert_rows", lambda *args, **kwargs: 1 / 0)

    refresh_location(location)
    refresh_location(location)

    location.refresh_from_db()
    assert location.errors[:-1] == earlier
    assert len(location.errors) == len(earlier) + 1
    assert "ZeroDivisionError" in location.errors[-1]["message"]

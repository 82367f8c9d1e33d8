"""A refresh that fails unexpectedly (PostgreSQL out of memory) must not leave its location pending and retried."""

from __future__ import annotations

import pytest
from django.db import DatabaseError

from catalog.models import Location
from catalog.services import due_locations, register_location, validate_location_spec
from catalog.services import refresh as refresh_module
from catalog.tasks import refresh_due_locations_task, refresh_location_task
from tests.conftest import component


@pytest.mark.django_db
def test_a_crashed_refresh_shows_its_error_and_is_not_retried_on_every_tick(write_file, monkeypatch):
    location = register_location(
        validate_location_spec("file", str(write_file("c.yaml", component("web")))), trusted=True
    )

    def out_of_memory(*args, **kwargs):
        raise DatabaseError("out of memory")

    monkeypatch.setattr(refresh_module, "insert_rows", out_of_memory)
    monkeypatch.setattr(refresh_location_task, "delay", lambda location_id: refresh_location_task(location_id))

    refresh_due_locations_task()

    location.refresh_from_db()
    assert location.status == Location.Status.ERROR
    assert "DatabaseError: out of memory" in location.errors[0]["message"]
    assert location.refresh_claimed_at is None
    assert due_locations() == []

"""A refresh that writes many rows refreshes the planner's statistics, as a job of its own."""

from __future__ import annotations

import pytest
from django.db import connection

from catalog.services import statistics
from tests.catalog.api_fixtures import components
from tests.catalog.conftest import load_catalog_file


def counted_terms() -> set[str]:
    """The terms ANALYZE last counted in ``catalog_entity.terms`` (its most common elements)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT most_common_elems::text::text[] FROM pg_stats "
            "WHERE tablename = 'catalog_entity' AND attname = 'terms'"
        )
        row = cursor.fetchone()
    return set(row[0] or []) if row else set()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ANALYZE is PostgreSQL's")
def test_a_large_refresh_analyzes_the_catalog(db, write_file, monkeypatch, django_capture_on_commit_callbacks):
    from portal.celery import app

    monkeypatch.setattr(statistics, "ANALYZE_AFTER_ROWS", 5)
    # The fixture's components are owned by "team-a", a value no other test's catalog holds.
    assert "spec.owner=team-a" not in counted_terms()
    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            load_catalog_file(write_file, "catalog.yaml", components(6))
    finally:
        app.conf.task_always_eager = False
    assert len(callbacks) >= 1
    # ANALYZE inside the test's transaction sees its rows: their terms are now counted.
    assert "spec.owner=team-a" in counted_terms()


def test_a_small_refresh_queues_nothing(db, write_file, monkeypatch):
    sent: list[str] = []
    monkeypatch.setattr(statistics, "send_job", sent.append)
    monkeypatch.setattr(statistics, "ANALYZE_AFTER_ROWS", 5)
    load_catalog_file(write_file, "catalog.yaml", components(3))
    assert sent == []
    load_catalog_file(write_file, "more.yaml", components(6, prefix="more"))
    assert sent == (["catalog.analyze"] if connection.vendor == "postgresql" else [])


def test_refreshing_statistics_runs_on_either_database(db):
    # SQLite has nothing to refresh: the call is a no-op there, ANALYZE on PostgreSQL.
    statistics.refresh_planner_statistics()

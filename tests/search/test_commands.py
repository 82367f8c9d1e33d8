"""``search_benchmark`` and ``search_reindex`` at a small size."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from benchmarks.catalog.search import settle_index
from portal.models import SearchDocument

pytestmark = pytest.mark.django_db


def test_benchmark_adds_docs_pages_and_reports_percentiles(search_catalog, tmp_path):
    out = StringIO()
    figures = tmp_path / "search.json"
    call_command("search_benchmark", docs=30, queries=10, repeat=2, json_path=str(figures), stdout=out)
    text = out.getvalue()
    assert "30 docs pages indexed" in text and "37 documents in the index" in text
    assert SearchDocument.objects.filter(type="techdocs").count() == 30
    latency = {row["category"]: row for row in json.loads(figures.read_text())["latency"]}
    assert latency["all"]["runs"] == 20 and latency["all"]["p50_ms"] <= latency["all"]["p95_ms"]
    assert {"exact name", "prefix", "two words", "text word", "typo"} <= set(latency)


def test_benchmark_refuses_an_empty_index():
    with pytest.raises(CommandError, match="the index is empty"):
        call_command("search_benchmark", queries=5, stdout=StringIO())


def test_reindex_rebuilds_a_lost_index(search_catalog):
    SearchDocument.objects.all().delete()
    out = StringIO()
    call_command("search_reindex", stdout=out)
    assert out.getvalue().strip() == "7 indexed, 0 removed, 0 unchanged"
    assert SearchDocument.objects.count() == 7


def test_settling_the_index_needs_postgresql_outside_a_transaction():
    # The test runs inside a transaction (and SQLite has nothing to settle): nothing is done.
    assert settle_index() is False


@pytest.mark.skipif(connection.vendor != "postgresql", reason="VACUUM and ANALYZE are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_settling_the_index_analyses_its_table():
    assert settle_index() is True
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'portal_searchdocument'")
        assert cursor.fetchone()[0] is not None

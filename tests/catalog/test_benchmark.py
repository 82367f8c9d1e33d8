"""``catalog_benchmark`` runs end to end at a tiny size, emptying the catalog again before each size."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from catalog.models import Entity, EntityRelations, Location
from tests.workers import worker_database_url


@pytest.mark.django_db(transaction=True)
def test_benchmark_ingests_each_size_into_an_emptied_catalog(tmp_path, monkeypatch):
    # The ingestion runs in child processes (``manage.py catalog_register``) on the test database.
    monkeypatch.setenv("DATABASE_URL", worker_database_url())
    monkeypatch.setenv("GREENROOM_DATA_DIR", str(tmp_path / "data"))
    # admit_local_root exports these for the children; monkeypatch puts them back afterwards.
    monkeypatch.setenv("CATALOG_LOCAL_ROOTS", "")
    monkeypatch.setenv("CATALOG_ALLOW_LOCAL_GIT", "false")
    figures = tmp_path / "figures.json"
    out = io.StringIO()

    # The second size starts from the first size's catalog, stitched relations included.
    call_command("catalog_benchmark", sizes="20,30", files="1", yes=True, json=str(figures), stdout=out)

    rows = json.loads(figures.read_text())
    assert [(row["entities"], row["files"]) for row in rows] == [(21, 1), (31, 1)]
    assert Location.objects.count() == 1
    assert Entity.objects.count() == 31
    assert EntityRelations.objects.count() == 31
    assert "catalog benchmark on " in out.getvalue()

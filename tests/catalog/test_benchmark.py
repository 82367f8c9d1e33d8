"""``catalog_benchmark`` runs end to end at a tiny size, emptying the catalog again before each size."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from catalog.models import Entity, EntityRelations, Location
from tests.workers import worker_database_url

# Issue 20's query list, as the benchmark names its rows.
QUERIES = [
    "by-name",
    "by-query kind=component, page 1",
    "by-query kind=component, cursor page 2",
    "by-query kind=component, cursor page 11",
    "by-query kind=component, cursor page 1000",
    "by-query kind=component,spec.type=service",
    "by-query spec.lifecycle=production",
    "by-query metadata.tags=<tag>",
    "by-query annotation key backstage.io/techdocs-ref",
    "by-query relations.ownedBy=<team>",
    "by-query fields=name,title,type",
    "by-query orderField=metadata.name,asc",
    "by-query orderField=metadata.title,asc",
    "by-query orderField=spec.type,desc",
    "by-query orderField=metadata.name,asc, cursor page 2",
    "by-query orderField=metadata.name,asc, cursor page 11",
    "entities kind=component offset=500",
    "entities kind=component offset=5000",
    "entities spec.owner=<team>",
    "entities relations.ownedBy=<team ref>",
    "facets spec.type",
    "facets kind, filter kind=component",
    "by-query full text <word>, kind=component",
    "owner lookup",
    "ownership gaps, every gap type",
    "ownership gaps unresolved-owner, kind=component",
    "UI: catalog, owner + production",
    "UI: catalog, kind=Component",
    "UI: entity page",
]
# The list queries whose data a 60-entity catalog (39 components, pages of 2) does not hold.
ABSENT_AT_60 = {
    "by-query kind=component, cursor page 1000",
    "entities kind=component offset=500",
    "entities kind=component offset=5000",
}


@pytest.fixture
def child_environment(tmp_path, monkeypatch):
    # Ingestion (``manage.py catalog_register``) and gunicorn run in child processes on the test database.
    monkeypatch.setenv("DATABASE_URL", worker_database_url())
    monkeypatch.setenv("GREENROOM_DATA_DIR", str(tmp_path / "data"))
    # admit_local_root exports these for the children; monkeypatch puts them back afterwards.
    monkeypatch.setenv("CATALOG_LOCAL_ROOTS", "")
    monkeypatch.setenv("CATALOG_ALLOW_LOCAL_GIT", "false")


@pytest.mark.django_db(transaction=True)
def test_benchmark_ingests_each_size_into_an_emptied_catalog(tmp_path, child_environment):
    figures = tmp_path / "figures.json"
    out = io.StringIO()

    # The second size starts from the first size's catalog, stitched relations included.
    call_command("catalog_benchmark", sizes="20,30", files="1", yes=True, json=str(figures), stdout=out)

    report = json.loads(figures.read_text())
    assert [(row["entities"], row["files"]) for row in report["ingestion"]] == [(21, 1), (31, 1)]
    assert report["api"] == report["load"] == []
    assert Location.objects.count() == 1
    assert Entity.objects.count() == 31
    assert EntityRelations.objects.count() == 31
    assert "## Ingestion" in out.getvalue()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="measures gunicorn on PostgreSQL, as in production")
@pytest.mark.django_db(transaction=True)
def test_benchmark_times_every_query_and_the_load_test_without_errors(tmp_path, child_environment):
    figures, table, out = tmp_path / "figures.json", tmp_path / "figures.md", io.StringIO()

    call_command(
        "catalog_benchmark",
        sizes="60",
        files="1",
        yes=True,
        api=True,
        load=True,
        requests=3,
        warmup=1,
        limit=2,
        clients=2,
        seconds=1,
        json=str(figures),
        markdown=str(table),
        stdout=out,
    )

    report = json.loads(figures.read_text())
    assert report["machine"]["gunicorn_workers"] == 2
    assert report["machine"]["database"].startswith("PostgreSQL ")
    [run] = report["api"]
    assert run["entities"] == 61
    rows = {row["name"]: row for row in run["scenarios"]}
    assert list(rows) == QUERIES
    assert {name for name, row in rows.items() if row.get("skipped")} == ABSENT_AT_60
    measured = [row for name, row in rows.items() if name not in ABSENT_AT_60]
    assert [(row["name"], row["requests"], row["errors"]) for row in measured] == [
        (row["name"], 3, 0) for row in measured
    ]
    assert all(0 < row["p50_ms"] <= row["p95_ms"] for row in measured)
    [load] = report["load"]
    assert (load["clients"], load["errors"]) == (2, 0)
    assert load["requests"] > 0 and load["met"] is False  # 2 clients for 1 s is not the test
    markdown = table.read_text()
    assert all(f"| {name} |" in markdown for name in rows)
    assert "## Load test at 61 entities" in markdown


@pytest.mark.django_db
def test_reuse_without_api_or_load_is_refused_before_any_work():
    with pytest.raises(CommandError, match="give --api, --load or both"):
        call_command("catalog_benchmark", reuse=True, stdout=io.StringIO())


@pytest.mark.django_db
def test_an_unreadable_compare_file_is_refused_before_any_ingestion(tmp_path):
    broken = tmp_path / "earlier.json"
    broken.write_text("{not json")

    with pytest.raises(CommandError, match="--compare: cannot read"):
        call_command("catalog_benchmark", sizes="20", files="1", yes=True, compare=str(broken), stdout=io.StringIO())
    assert not Location.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("sizes", ["", "ten", "0,20"])
def test_sizes_that_are_not_positive_numbers_are_refused(sizes):
    with pytest.raises(CommandError, match="--sizes takes"):
        call_command("catalog_benchmark", sizes=sizes, files="1", yes=True, stdout=io.StringIO())

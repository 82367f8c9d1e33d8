"""The load test, short: 10 clients for 5 s against gunicorn on a small catalog in its own PostgreSQL
database, with zero errors. Runs where DATABASE_URL is PostgreSQL and REDIS_URL is set (CI)."""

from __future__ import annotations

import os
import re

import pytest

from tests.ops.cluster import Cluster, is_configured, with_redis_db

pytestmark = pytest.mark.skipif(not is_configured(), reason="needs DATABASE_URL on PostgreSQL and REDIS_URL (CI)")

REPORT = re.compile(
    r"(?P<clients>\d+) clients, .*: (?P<requests>\d+) requests, (?P<rps>[\d.]+) req/s, "
    r"p50 (?P<p50>[\d.]+) ms, p95 (?P<p95>[\d.]+) ms, (?P<errors>\d+) errors"
)


@pytest.fixture
def cluster(tmp_path):
    cluster = Cluster(
        root=tmp_path, database_url=os.environ["DATABASE_URL"], redis_url=with_redis_db(os.environ["REDIS_URL"], 6)
    )
    try:
        cluster.start(web=0, workers=0)
        yield cluster
    finally:
        cluster.stop()


def test_ten_clients_for_five_seconds_get_no_errors(cluster):
    output = cluster.manage(
        "load_test", "--clients", "10", "--seconds", "5", "--web-workers", "2", "--generate", "300", timeout=240
    )

    report = REPORT.search(output)
    assert report, output
    assert report["clients"] == "10"
    assert report["errors"] == "0"
    assert int(report["requests"]) >= 10, output
    assert float(report["p95"]) >= float(report["p50"]) > 0


def test_refuses_an_empty_catalog_with_a_clear_error(cluster):
    with pytest.raises(RuntimeError, match="the catalog has no components to browse"):
        cluster.manage("load_test", "--clients", "2", "--seconds", "1")

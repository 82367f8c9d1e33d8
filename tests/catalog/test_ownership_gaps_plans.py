"""The PostgreSQL plans behind an ownership-gaps page on the 20,000-entity org of ``test_query_plans``.

The gaps are found set by set (``catalog/lookups/ownership_gaps.py``): the distinct owners come from
the partial ``ownedBy`` index, each owner is looked up once, their entities come from the target
index, and groups and systems are walked on the ``(kind, ref)`` index with probes. No statement of a
page, cold cache included, reads rows it then throws away by the thousand. In that org no ``team-N`` group exists, so
every component and API (16,000 or so) is an unresolved-owner gap.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .test_query_plans import client, nodes, org  # noqa: F401 (fixtures)

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans")

URL = "/api/catalog/ownership-gaps?limit=50"


def statement_plans(client, path: str) -> tuple[Any, list[tuple[str, dict[str, Any]]]]:  # noqa: F811
    """The answer to ``path`` on a cold cache, and the analyzed plan of each statement it ran."""
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, response.content[:500]
    plans = []
    for query in queries.captured_queries:
        sql = query["sql"]
        if sql.lstrip().upper().startswith("SELECT") and ("catalog_entity" in sql or "catalog_relation" in sql):
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
                explained = cursor.fetchone()[0]
            plans.append((sql, (json.loads(explained) if isinstance(explained, str) else explained)[0]["Plan"]))
    return response, plans


def seq_scans(plan: dict[str, Any]) -> list[str]:
    return [node["Relation Name"] for node in nodes(plan) if node["Node Type"] == "Seq Scan"]


def wasteful_scans(plan: dict[str, Any]) -> list[str]:
    """Seq Scans that throw away more rows than they keep: a set the statement did not need to read.

    In this org every ``ownedBy`` row is a gap, so reading them all is the answer, not a scan.
    """
    return [
        node["Relation Name"]
        for node in nodes(plan)
        if node["Node Type"] == "Seq Scan" and node.get("Rows Removed by Filter", 0) > node["Actual Rows"]
    ]


def index_names(plan: dict[str, Any]) -> set[str]:
    return {node["Index Name"] for node in nodes(plan) if "Index Name" in node}


@pytest.mark.parametrize("query", ["", "&gapType=unresolved-owner", "&gapType=empty-group", "&kind=component"])
def test_no_statement_of_a_page_scans_a_whole_table(client, query):  # noqa: F811
    response, plans = statement_plans(client, URL + query)
    assert plans
    for sql, plan in plans:
        assert not wasteful_scans(plan), (sql[:300], plan)
        assert "catalog_entity" not in seq_scans(plan), (sql[:300], plan)
        assert not [node for node in nodes(plan) if node["Node Type"] == "Sort" and node.get("Actual Rows", 0) > 5000]
    body = response.json()
    assert len(body["items"]) == min(50, body["counts"]["total"])


def test_the_distinct_owners_come_from_the_partial_owned_by_index(client):  # noqa: F811
    _, plans = statement_plans(client, URL + "&gapType=unresolved-owner")
    owners = [plan for sql, plan in plans if "DISTINCT" in sql and "catalog_relation" in sql]
    assert len(owners) == 1
    assert index_names(owners[0]) == {"catalog_relation_owned_by"}
    assert owners[0]["Actual Rows"] == 290


def test_a_warm_page_is_one_statement_reading_fifty_rows_by_ref(client):  # noqa: F811
    client.get(URL)  # fills the cache
    cursor = client.get(URL).json()["pageInfo"]["nextCursor"]
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{URL}&cursor={cursor}")
    pages = [query["sql"] for query in queries.captured_queries if "catalog_entity" in query["sql"]]
    assert len(pages) == 1, pages
    with connection.cursor() as db:
        db.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + pages[0])
        explained = db.fetchone()[0]
    plan = (json.loads(explained) if isinstance(explained, str) else explained)[0]["Plan"]
    assert not seq_scans(plan)
    assert "catalog_entity_ref_key" in index_names(plan) or "catalog_entity_ref_d4d57767_like" in index_names(plan)
    assert len(response.json()["items"]) == 50

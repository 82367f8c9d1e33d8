"""The PostgreSQL plans of the explorer's sorted pages: each column's sort walks an index.

On the org of ``test_query_plans`` (20,000 entities, 14,500 components), the statement that picks
a page of 50 refs (a subquery of the statement reading the page's rows) must walk the index of its
order from the first row of the kind and stop, for the first page and a deep one, never sort every
component: the only sort left is of the 50 rows read.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.catalog.test_query_plans import MAX_SCANNED, PAGE, client, entity_scans, nodes, org  # noqa: F401

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans")


def ref_page_plan(client, path: str) -> dict:  # noqa: F811
    """The analyzed plan of the statement reading the page, whose subquery chooses its refs."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, response.content[:500]
    chosen = [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].startswith('SELECT "catalog_entity"."id"') and f"LIMIT {PAGE}" in query["sql"]
    ]
    assert len(chosen) == 1, "\n".join(query["sql"][:300] for query in queries.captured_queries)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + chosen[0])
        explained = cursor.fetchone()[0]
    return (json.loads(explained) if isinstance(explained, str) else explained)[0]["Plan"]


@pytest.mark.parametrize(
    ("sort", "index"),
    [
        ("name", "catalog_entity_kind_name_ref"),
        ("-name", "catalog_entity_kind_name_ref"),
        ("type", "catalog_entity_kind_type_name"),
        ("-type", "catalog_entity_kind_type_name"),
        ("lifecycle", "catalog_entity_kind_sort_lifecycle"),
        ("-lifecycle", "catalog_entity_kind_sort_lifecycle"),
        ("owner", "catalog_entity_kind_sort_owner"),
        ("-owner", "catalog_entity_kind_sort_owner"),
        ("system", "catalog_entity_kind_sort_system"),
        ("tags", "catalog_entity_kind_sort_tags"),
        ("-description", "catalog_entity_kind_sort_description"),
    ],
)
@pytest.mark.parametrize("page", [1, 40])
def test_each_explorer_sort_walks_its_index(client, sort, index, page):  # noqa: F811
    plan = ref_page_plan(client, f"/catalog/?sort={sort}&page={page}")
    assert index in {node.get("Index Name") for node in entity_scans(plan)}, plan
    sorts = [node for node in nodes(plan) if node["Node Type"] in ("Sort", "Incremental Sort")]
    assert all(node["Actual Rows"] <= PAGE for node in sorts), sorts
    scanned = max(node["Actual Rows"] + node.get("Rows Removed by Filter", 0) for node in entity_scans(plan))
    assert scanned <= MAX_SCANNED, f"a scan read {scanned} catalog rows for one page"

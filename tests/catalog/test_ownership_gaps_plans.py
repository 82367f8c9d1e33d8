"""The PostgreSQL plan of an ownership-gaps page on the 20,000-entity org of ``test_query_plans``.

The page walks an entity index in ref order (``ref``, or ``kind, ref`` for a kind filter) and stops
after a page of gaps. Every gap test is a scalar ``LIMIT 1`` probe of a relation index (an anti-join:
the gap is the probe finding nothing), never a Seq Scan of the relation table, and nothing sorts.
In that org no ``team-N`` group exists, so every component and API is an unresolved-owner gap.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .test_query_plans import client, nodes, org  # noqa: F401 (fixtures)

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans")

URL = "/api/catalog/ownership-gaps?limit=50"


def page_plan(client, path: str) -> tuple[Any, dict[str, Any]]:  # noqa: F811
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, response.content[:500]
    pages = [query["sql"] for query in queries.captured_queries if "LIMIT 51" in query["sql"]]
    assert len(pages) == 1, pages
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + pages[0])
        explained = cursor.fetchone()[0]
    return response, (json.loads(explained) if isinstance(explained, str) else explained)[0]["Plan"]


def assert_probes_only(plan: dict[str, Any]) -> None:
    everything = list(nodes(plan))
    assert not [node for node in everything if node["Node Type"] in ("Sort", "Incremental Sort")], plan
    seq = [
        node for node in everything if node["Node Type"] == "Seq Scan" and node["Relation Name"] == "catalog_relation"
    ]
    assert not seq, plan
    walks = {node.get("Index Name") for node in everything if node.get("Relation Name") == "catalog_entity"}
    assert walks & {"catalog_entity_ref_key", "catalog_entity_kind_ref"}, walks


@pytest.mark.parametrize("query", ["", "&gapType=unresolved-owner", "&gapType=empty-group", "&kind=component"])
def test_a_page_walks_the_ref_index_and_probes_relations(client, query):  # noqa: F811
    response, plan = page_plan(client, URL + query)
    assert_probes_only(plan)
    assert len(response.json()["items"]) == min(50, response.json()["counts"]["total"])


def test_the_next_page_starts_from_the_cursor(client):  # noqa: F811
    cursor = client.get(URL).json()["pageInfo"]["nextCursor"]
    response, plan = page_plan(client, f"{URL}&cursor={cursor}")
    assert_probes_only(plan)
    assert len(response.json()["items"]) == 50

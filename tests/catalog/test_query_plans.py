"""The PostgreSQL plans of the catalog's hot list queries, pinned on an org-shaped catalog.

A page of 50 must come from walking an index in the page's order and stopping, or (for a filter
that matches few rows) from reading those few: never from reading and sorting every match. Each
test sends the request a client sends, captures the SQL the view runs, and reads its
``EXPLAIN (ANALYZE, FORMAT JSON)``: the index it names, that no node sorts, and how many catalog
rows any scan produced. A regression to "bitmap scan of every match, then sort" fails here long
before anyone measures it.

The catalog is 20,000 entities in the benchmark's org shape (72.5 % components), written straight
into the table with one INSERT … SELECT so the data costs a second, then VACUUMed and ANALYZEd, as
the job a refresh that writes many rows queues does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans")

SIZE = 20_000
PAGE = 50
# Far fewer than the matches of every filter below (components: 14,500), far more than a page reads.
MAX_SCANNED = 2_500

# One INSERT builds the org: kinds in the benchmark's shares; components with one of five types, one
# of three lifecycles, one or two of twelve tags, every fifth with a TechDocs annotation, owned by
# one of 290 groups.
ORG_SQL = """
WITH numbered AS (
    SELECT n,
           CASE WHEN n %% 1000 < 725 THEN 'Component' WHEN n %% 1000 < 798 THEN 'API'
                WHEN n %% 1000 < 943 THEN 'User' WHEN n %% 1000 < 957 THEN 'Group'
                WHEN n %% 1000 < 993 THEN 'System' ELSE 'Domain' END AS kind
    FROM generate_series(1, %(size)s) AS n
), shaped AS (
    SELECT n, kind, lower(kind) || '-' || n AS name,
           (ARRAY['service', 'website', 'library', 'tool', 'documentation'])[1 + n %% 5] AS spec_type,
           (ARRAY['production', 'experimental', 'deprecated'])[1 + (n / 5) %% 3] AS lifecycle,
           'group:default/team-' || (n %% 290) AS owner,
           (ARRAY['java', 'python', 'go', 'rust', 'node', 'kotlin', 'grpc', 'kafka', 'postgres',
                  'redis', 'react', 'terraform'])[1 + (n / 7) %% 12] AS tag
    FROM numbered
)
INSERT INTO catalog_entity (id, ref, kind, namespace, name, title, spec_type, lifecycle, body, search,
    location_id, location_key, parent_ref, content_hash, source_digest, etag, generation,
    processing_errors, is_orphan, created_at, updated_at)
SELECT md5(n::text)::uuid, lower(kind) || ':default/' || name, kind, 'default', name, '',
       CASE WHEN kind IN ('Component', 'API') THEN spec_type ELSE '' END,
       CASE WHEN kind IN ('Component', 'API') THEN lifecycle ELSE '' END,
       jsonb_build_object('apiVersion', 'backstage.io/v1alpha1', 'kind', kind,
           'metadata', jsonb_build_object('name', name, 'namespace', 'default'),
           'spec', jsonb_build_object('type', spec_type, 'owner', owner)),
       jsonb_build_object('kind', jsonb_build_array(lower(kind)), 'metadata.name', jsonb_build_array(name),
           'metadata.namespace', jsonb_build_array('default'), 'spec.owner', jsonb_build_array(owner))
       || CASE WHEN kind IN ('Component', 'API') THEN jsonb_build_object(
              'spec.type', jsonb_build_array(spec_type), 'spec.lifecycle', jsonb_build_array(lifecycle),
              'metadata.tags', jsonb_build_array(tag), 'metadata.tags.' || tag, jsonb_build_array('true'))
          ELSE '{}'::jsonb END
       || CASE WHEN kind = 'Component' AND n %% 5 = 0 THEN jsonb_build_object(
              'metadata.annotations.backstage.io/techdocs-ref', jsonb_build_array('dir:.'))
          ELSE '{}'::jsonb END,
       %(location)s, 'url:https://plans.example/catalog-info.yaml', '', md5(n::text), '', md5(n::text),
       1, '[]'::jsonb, false, now(), now()
FROM shaped
"""
RELATIONS_SQL = """
INSERT INTO catalog_relation (source_ref, type, target_ref, emitter_id)
SELECT ref, 'ownedBy', search -> 'spec.owner' ->> 0, id FROM catalog_entity WHERE kind IN ('Component', 'API')
"""


@pytest.fixture(scope="module")
def org(django_db_setup, django_db_blocker) -> Iterator[None]:
    """The org, committed for this module's tests and removed after them."""
    from catalog.models import Location
    from catalog.services.statistics import refresh_planner_statistics

    with django_db_blocker.unblock():
        location = Location.objects.create(type="url", target="https://plans.example/catalog-info.yaml")
        with connection.cursor() as cursor:
            cursor.execute(ORG_SQL, {"size": SIZE, "location": location.pk})
            cursor.execute(RELATIONS_SQL)
        # What the catalog.analyze job does after a large refresh: VACUUM (the visibility map, so
        # index-only scans read no rows) and ANALYZE (the statistics the plans depend on).
        refresh_planner_statistics()
        try:
            yield
        finally:
            location.delete()  # cascades to the entities and their relation rows


@pytest.fixture
def client(org, db, settings):
    from rest_framework.test import APIClient

    settings.API_ANONYMOUS_READ = True
    return APIClient()


def entity_plans(client, path: str) -> tuple[Any, list[dict[str, Any]]]:
    """The response to ``path`` and the analyzed plan of each statement it ran on the entity table."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, response.content[:500]
    plans = []
    for query in queries.captured_queries:
        sql = query["sql"]
        if "catalog_entity" in sql and sql.lstrip().upper().startswith("SELECT") and "count(" not in sql.lower():
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
                explained = cursor.fetchone()[0]
            plans.append((json.loads(explained) if isinstance(explained, str) else explained)[0]["Plan"])
    return response, plans


def nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


def page_plan(client, path: str) -> tuple[Any, dict[str, Any]]:
    """The response and the plan of the one statement that read the page's rows."""
    response, plans = entity_plans(client, path)
    assert len(plans) == 1, f"expected one statement reading the page, got {len(plans)}"
    return response, plans[0]


def entity_scans(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [node for node in nodes(plan) if node.get("Relation Name") == "catalog_entity"]


def assert_walks(plan: dict[str, Any], index: str) -> None:
    """The page is read by walking ``index`` in order: no sort, no scan producing every match."""
    assert not [node for node in nodes(plan) if node["Node Type"] in ("Sort", "Incremental Sort")], plan
    used = {node.get("Index Name") for node in entity_scans(plan)}
    assert index in used, f"expected a walk of {index}, plan used {used}"
    scanned = max(node["Actual Rows"] + node.get("Rows Removed by Filter", 0) for node in entity_scans(plan))
    assert scanned <= MAX_SCANNED, f"a scan read {scanned} catalog rows for one page"


def items(response) -> list[dict[str, Any]]:
    body = response.json()
    return body["items"] if isinstance(body, dict) else body


def next_cursor_path(client, path: str, pages: int) -> str:
    """The path of page ``pages`` (1-based) of a by-query, following nextCursor from the server."""
    for _ in range(pages - 1):
        cursor = client.get(path).json()["pageInfo"]["nextCursor"]
        path = f"/api/catalog/entities/by-query?limit={PAGE}&cursor={quote(cursor)}"
    return path


BY_QUERY = f"/api/catalog/entities/by-query?limit={PAGE}"


def test_kind_filter_first_page_walks_the_kind_index(client):
    response, plan = page_plan(client, f"{BY_QUERY}&filter=kind=component")
    assert_walks(plan, "catalog_entity_kind_id")
    assert len(items(response)) == PAGE and response.json()["totalItems"] == 14_500


@pytest.mark.parametrize("page", [2, 11])
def test_kind_filter_cursor_pages_start_from_the_boundary(client, page):
    response, plan = page_plan(client, next_cursor_path(client, f"{BY_QUERY}&filter=kind=component", page))
    assert_walks(plan, "catalog_entity_kind_id")
    conditions = " ".join(node.get("Index Cond", "") for node in entity_scans(plan))
    assert "id >" in conditions, conditions
    assert len(items(response)) == PAGE


def test_fields_do_not_change_the_plan(client):
    response, plan = page_plan(client, f"{BY_QUERY}&filter=kind=component&fields=metadata.name,spec.type")
    assert_walks(plan, "catalog_entity_kind_id")
    assert set(items(response)[0]) == {"metadata", "spec"}
    assert set(items(response)[0]["metadata"]) == {"name"}


@pytest.mark.parametrize(
    ("order", "index"),
    [
        ("metadata.name,asc", "catalog_entity_kind_sort_name"),
        ("metadata.name,desc", "catalog_entity_kind_sort_name"),
        ("spec.type,desc", "catalog_entity_kind_sort_type"),
    ],
)
def test_ordered_kind_pages_walk_the_sort_index(client, order, index):
    first = f"{BY_QUERY}&filter=kind=component&orderField={order}"
    response, plan = page_plan(client, first)
    assert_walks(plan, index)
    field = order.split(",")[0]
    values = [
        item["metadata"]["name"] if field == "metadata.name" else item["spec"]["type"] for item in items(response)
    ]
    assert values == sorted(values, reverse=order.endswith("desc"))
    response, plan = page_plan(client, next_cursor_path(client, first, 11))
    assert_walks(plan, index)
    assert "ROW(" in " ".join(node.get("Index Cond", "") for node in entity_scans(plan))


@pytest.mark.parametrize(
    "query",
    [
        "filter=kind=component,spec.type=service",
        "filter=spec.lifecycle=production",
        "filter=metadata.tags=java",
        "filter=metadata.annotations.backstage.io/techdocs-ref",
        "filter=spec.lifecycle=production&orderField=metadata.name,asc",
    ],
)
def test_common_field_filters_stop_after_a_page(client, query):
    response, plan = page_plan(client, f"{BY_QUERY}&{query}")
    assert not [node for node in nodes(plan) if node["Node Type"] == "Sort"], plan
    scanned = max(node["Actual Rows"] + node.get("Rows Removed by Filter", 0) for node in entity_scans(plan))
    assert scanned <= MAX_SCANNED, f"a scan read {scanned} catalog rows for one page"
    assert len(items(response)) == PAGE


def test_a_rare_filter_reads_only_its_matches(client):
    # team-7 owns about 55 entities: the plan reads those through the relation index and sorts them.
    response, plan = page_plan(client, f"{BY_QUERY}&filter=relations.ownedBy=group:default/team-7")
    assert not [node for node in entity_scans(plan) if node["Node Type"] == "Seq Scan"], plan
    assert max(node["Actual Rows"] for node in entity_scans(plan)) <= 100
    assert 0 < len(items(response)) <= PAGE


def test_offset_pages_count_through_the_kind_ref_index(client):
    response, plan = page_plan(client, f"/api/catalog/entities?filter=kind=component&limit={PAGE}&offset=5000")
    scans = entity_scans(plan)
    assert "catalog_entity_kind_ref" in {node.get("Index Name") for node in scans}, scans
    # Only the page's rows are read and rendered; the 5,000 skipped are counted in the index.
    rendered = [node for node in scans if node.get("Index Name") == "catalog_entity_pkey"]
    assert rendered and max(node["Actual Rows"] * node.get("Actual Loops", 1) for node in rendered) <= PAGE + 1
    names = [item["metadata"]["name"] for item in items(response)]
    assert len(names) == PAGE

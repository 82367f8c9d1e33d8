"""Filters over any field path, answered by the database."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.formats.filter_syntax import parse_filters
from catalog.models import Entity
from catalog.services import refresh_location, register_location, validate_location_spec

pytestmark = pytest.mark.django_db

CATALOG = """
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: web
  tags: [python, frontend]
  annotations:
    backstage.io/techdocs-ref: dir:.
spec: {type: website, lifecycle: production, owner: team-a, system: shop}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: orders
  tags: [java]
spec: {type: service, lifecycle: experimental, owner: team-b, system: shop}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: legacy
spec: {type: service, lifecycle: deprecated, owner: team-a}
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: orders-api
spec: {type: openapi, lifecycle: production, owner: team-b, definition: "openapi: 3.0.0"}
"""


@pytest.fixture
def catalog(write_file):
    refresh_location(
        register_location(validate_location_spec("file", str(write_file("c.yaml", CATALOG))), trusted=True)
    )


def names(*filters: str) -> set[str]:
    return set(Entity.objects.matching(parse_filters(list(filters))).values_list("name", flat=True))


def test_filters_by_kind_and_spec_type(catalog):
    assert names("kind=component,spec.type=service") == {"orders", "legacy"}


def test_filter_is_case_insensitive(catalog):
    assert names("Kind=COMPONENT,spec.type=Service") == {"orders", "legacy"}


def test_same_key_twice_in_one_filter_is_or(catalog):
    assert names("kind=component,spec.lifecycle=production,spec.lifecycle=experimental") == {"web", "orders"}


def test_separate_filters_are_or(catalog):
    assert names("kind=api", "metadata.name=legacy") == {"orders-api", "legacy"}


def test_annotation_exists(catalog):
    assert names("metadata.annotations.backstage.io/techdocs-ref") == {"web"}


def test_annotation_value(catalog):
    assert names("metadata.annotations.backstage.io/techdocs-ref=dir:.") == {"web"}


def test_tags_match_array_items(catalog):
    assert names("metadata.tags=java") == {"orders"}
    assert names("metadata.tags.python") == {"web"}


def test_relation_filter(catalog):
    assert names("relations.ownedBy=group:default/team-a") == {"web", "legacy"}
    assert names("relations.ownerOf=component:default/orders") == set()  # the group is not in the catalog


def test_reverse_relation_filter(write_file):
    group = (
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: team-b}\nspec: {type: team, children: []}\n"
    )
    refresh_location(
        register_location(
            validate_location_spec("file", str(write_file("c.yaml", CATALOG + "---\n" + group))), trusted=True
        )
    )
    assert names("relations.ownerOf=component:default/orders") == {"team-b"}
    assert names("kind=group,relations.ownerof") == {"team-b"}


def test_relation_and_field_filter_together(catalog):
    assert names("relations.partof=system:default/shop,spec.type=service") == {"orders"}


def test_unknown_key_matches_nothing(catalog):
    assert names("spec.nothing=here") == set()


def test_owned_by_shortcut(catalog):
    assert set(Entity.objects.owned_by("group:default/team-b").values_list("name", flat=True)) == {
        "orders",
        "orders-api",
    }


def test_filter_runs_as_one_query(catalog):
    with CaptureQueriesContext(connection) as queries:
        list(Entity.objects.matching(parse_filters(["kind=component,relations.ownedby=group:default/team-a"])))
    assert len(queries) == 1


def test_relations_come_with_the_entities_in_one_query_whatever_the_page_size(catalog):
    with CaptureQueriesContext(connection) as one_page:
        Entity.objects.filter(name="web").with_relations()
    with CaptureQueriesContext(connection) as all_pages:
        entities = Entity.objects.all().with_relations()
    assert len(one_page) == len(all_pages) == 1
    web = next(entity for entity in entities if entity.name == "web")
    assert {"type": "ownedBy", "targetRef": "group:default/team-a"} in web.output_relations


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GIN index exists on PostgreSQL only")
def test_field_filter_uses_the_gin_index(catalog):
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        sql, params = Entity.objects.matching(parse_filters(["spec.type=service"])).query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "catalog_entity_terms_gin" in plan


def test_any_lookup_matches_like_in(catalog):
    assert set(Entity.objects.filter(name__any=["web", "legacy", "none"]).values_list("name", flat=True)) == {
        "web",
        "legacy",
    }
    assert not Entity.objects.filter(name__any=[]).exists()

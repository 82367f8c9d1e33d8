"""The served entity JSON: the database's text (``with_payload()``) and Python's (``entity_json``)
come from one key list and are the same bytes."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from catalog.api.serializers import entity_json, entity_payload, jsonb_text
from catalog.models import Entity
from catalog.querysets import SERVED_KEYS, payload_text_by_ref
from catalog.services import refresh_location

VARIED = """
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-a, title: "Équipe A ☕"}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: web
  title: "Webshop — 日本語 \\"quoted\\" back\\\\slash tab\\there"
  description: "line one\\nline two \\u0001 control, emoji 🎉, separator \\u2028"
  annotations:
    backstage.io/techdocs-ref: dir:.
    github.com/project-slug: acme/web
    z: "last"
    a: "first"
  labels: {tier: "1"}
  tags: [python, frontend]
  links: [{url: "https://example.com/ü", title: Dashboard}]
spec:
  type: website
  lifecycle: production
  owner: team-a
  system: shop
  dependsOn: [resource:db, component:orders]
  consumesApis: [orders-api]
  numbers: {small: 0.0000001, big: 12345678901234567890, ratio: 0.5, whole: 2.0, negative: -3, zero: 0.0}
  flags: [true, false, null]
  nested: {"": empty key, bb: 2, a: 1, ccc: {x: [], y: {}}}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: orders}
spec: {type: service, lifecycle: experimental, owner: team-b}
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: orders-api}
spec: {type: openapi, lifecycle: production, owner: team-b, definition: "openapi: 3.0.0"}
"""

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="with_payload() is PostgreSQL's")


@pytest.fixture
def varied(db, write_file):
    from tests.catalog.conftest import load_catalog_file

    location = load_catalog_file(write_file, "catalog.yaml", VARIED)
    # An entity that fails its next read keeps its last good version, with the error as its status.
    write_file("catalog.yaml", VARIED.replace("spec: {type: service, ", "spec: {"))
    refresh_location(location)
    return location


def test_database_and_python_write_the_same_bytes_for_every_entity(varied):
    by_sql = dict(Entity.objects.with_payload().values_list("ref", "payload"))
    entities = Entity.objects.order_by("ref").with_relations()
    assert {entity.ref for entity in entities} == set(by_sql)
    assert len(entities) >= 5  # the location, the group, two components, the API
    for entity in entities:
        assert entity_json(entity) == by_sql[entity.ref], entity.ref


def test_varied_entity_has_what_the_comparison_is_about(varied):
    web = json.loads(payload_text_by_ref("component:default/web"))
    assert {item["type"] for item in web["relations"]} >= {"ownedBy", "partOf", "dependsOn", "consumesApi"}
    assert web["metadata"]["annotations"]["a"] == "first"
    assert "日本語" in web["metadata"]["title"] and "🎉" in web["metadata"]["description"]
    assert web["spec"]["numbers"]["small"] == 1e-07
    orders = json.loads(payload_text_by_ref("component:default/orders"))
    assert orders["status"]["items"][0]["level"] == "error"  # lost its spec.type: a processing error


def test_entity_without_stitched_relations_matches_too(varied):
    Entity.objects.get(ref="component:default/orders").stitched.delete()
    orders = Entity.objects.filter(ref="component:default/orders").with_relations()[0]
    assert orders.output_relations == []
    assert entity_json(orders) == payload_text_by_ref("component:default/orders")


def test_python_payload_has_exactly_the_served_keys(varied):
    orders = Entity.objects.filter(ref="component:default/orders").with_relations()[0]
    web = Entity.objects.filter(ref="component:default/web").with_relations()[0]
    assert set(entity_payload(orders)) - set(orders.body) == {served.key for served in SERVED_KEYS}
    assert set(entity_payload(web)) - set(web.body) == {"relations"}  # no errors: no status


def test_by_name_endpoint_answers_the_database_text(api, varied):
    response = api.get("/api/catalog/entities/by-name/component/default/web")
    web = Entity.objects.filter(ref="component:default/web").with_relations()[0]
    assert response.content.decode() == entity_json(web)


def test_jsonb_text_orders_keys_by_length_then_bytes_as_postgresql_does(db):
    value = {"bb": 1, "a": [1.5, None], "ccc": {"é": "x", "z": True}, "ab": 1e-07}
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::jsonb::text", [json.dumps(value)])
        (expected,) = cursor.fetchone()
    assert jsonb_text(value) == expected


@pytest.mark.parametrize("stored", [{"relations": [{"type": "stale"}]}, {"status": {"items": []}}, {}])
def test_a_body_holding_a_served_key_or_nothing_is_merged_not_written_twice(varied, stored):
    # Refreshes never store such bodies (services.verdicts.normalised_body); a row written some other
    # way still gets each served key once, with the served value, in both renderings.
    orders = Entity.objects.get(name="orders")
    body = {**orders.body, **stored} if stored else {}
    Entity.objects.filter(pk=orders.pk).update(body=body)
    text = payload_text_by_ref("component:default/orders")
    served = json.loads(text, object_pairs_hook=lambda pairs: [key for key, _ in pairs])
    assert served.count("relations") == 1 and served.count("status") == 1
    assert {"type": "stale"} not in json.loads(text)["relations"]
    (reloaded,) = Entity.objects.filter(pk=orders.pk).with_relations()
    assert entity_json(reloaded) == text

"""Backstage's entity endpoints: shapes, filters, fields, paging and refusals."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Entity, EntityHistory
from catalog.services import refresh_location, register_location, validate_location_spec
from tests.catalog.api_fixtures import CATALOG, components

pytestmark = pytest.mark.django_db
BASE = "/api/catalog"


def names(items: list[dict]) -> list[str]:
    return [item["metadata"]["name"] for item in items]


def test_get_entities_filters_and_selects_fields(api, catalog):
    response = api.get(
        f"{BASE}/entities", {"filter": "kind=component,spec.type=service", "fields": "metadata.name,spec.owner"}
    )
    assert response.status_code == 200
    assert response.json() == [{"metadata": {"name": "orders"}, "spec": {"owner": "team-b"}}]


def test_entity_carries_relations_uid_and_etag(api, catalog):
    web = api.get(f"{BASE}/entities/by-name/component/default/web").json()
    assert {"type": "ownedBy", "targetRef": "group:default/team-a"} in web["relations"]
    assert {"type": "consumesApi", "targetRef": "api:default/orders-api"} in web["relations"]
    assert web["metadata"]["uid"] and web["metadata"]["etag"]
    team = api.get(f"{BASE}/entities/by-name/Group/default/TEAM-A").json()
    assert team["relations"] == [{"type": "ownerOf", "targetRef": "component:default/web"}]


def test_several_filters_are_ored(api, catalog):
    response = api.get(f"{BASE}/entities?filter=kind=api&filter=metadata.name=web&fields=metadata.name")
    assert sorted(names(response.json())) == ["orders-api", "web"]


def test_paging_with_limit_sets_a_link_to_the_next_page(api, catalog):
    first = api.get(f"{BASE}/entities", {"limit": 2, "fields": "metadata.name"})
    assert len(first.json()) == 2
    seen, response = names(first.json()), first
    while "Link" in response.headers:
        link = response.headers["Link"]
        assert link.startswith("</entities?") and link.endswith('>; rel="next"')
        response = api.get(BASE + link[1 : link.index(">")])
        assert len(response.json()) <= 2
        seen += names(response.json())
    assert sorted(seen) == sorted(Entity.objects.values_list("name", flat=True))


def test_order_descending_by_name(api, catalog):
    response = api.get(f"{BASE}/entities?order=desc:metadata.name&filter=kind=component&fields=metadata.name")
    assert names(response.json()) == ["web", "orders"]


def test_by_query_pages_forward_and_back_with_cursors(api, catalog):
    first = api.get(
        f"{BASE}/entities/by-query", {"limit": 2, "orderField": "metadata.name,asc", "fields": "metadata.name"}
    )
    body = first.json()
    assert body["totalItems"] == Entity.objects.count()
    assert "prevCursor" not in body["pageInfo"]
    second = api.get(f"{BASE}/entities/by-query", {"cursor": body["pageInfo"]["nextCursor"], "limit": 2}).json()
    assert names(second["items"]) != names(body["items"])
    back = api.get(f"{BASE}/entities/by-query", {"cursor": second["pageInfo"]["prevCursor"], "limit": 2}).json()
    assert names(back["items"]) == names(body["items"])


def test_by_query_walks_every_entity_once(api, catalog):
    seen, cursor = [], None
    while True:
        query = {"limit": 2, "fields": "metadata.name"} | ({"cursor": cursor} if cursor else {})
        page = api.get(f"{BASE}/entities/by-query", query).json()
        seen += names(page["items"])
        cursor = page["pageInfo"].get("nextCursor")
        if not cursor:
            break
    assert sorted(seen) == sorted(Entity.objects.values_list("name", flat=True))


def test_by_query_leaves_out_entities_lacking_the_order_field(api, catalog):
    body = api.get(f"{BASE}/entities/by-query", {"orderField": "metadata.title,asc", "fields": "metadata.name"}).json()
    assert names(body["items"]) == ["web"] and body["totalItems"] == 1


def test_by_query_full_text_filter(api, catalog):
    body = api.get(
        f"{BASE}/entities/by-query", {"fullTextFilterTerm": "ORD", "fullTextFilterFields": "metadata.name"}
    ).json()
    assert sorted(names(body["items"])) == ["orders", "orders-api"]


def test_by_query_post_with_a_predicate(api, catalog):
    body = api.post(
        f"{BASE}/entities/by-query",
        {"query": {"kind": "component", "$not": {"metadata.tags": {"$contains": "java"}}}, "fields": ["metadata.name"]},
        format="json",
    ).json()
    assert names(body["items"]) == ["web"]


def test_by_refs_keeps_request_order_and_nulls(api, catalog):
    body = api.post(
        f"{BASE}/entities/by-refs",
        {
            "entityRefs": ["api:default/orders-api", "component:default/none", "Component:default/web"],
            "fields": ["kind"],
        },
        format="json",
    ).json()
    assert body == {"items": [{"kind": "API"}, None, None]}


def test_by_uid_and_delete(api, admin_api, catalog):
    web = Entity.objects.get(ref="component:default/web")
    assert api.get(f"{BASE}/entities/by-uid/{web.pk}").json()["metadata"]["name"] == "web"
    assert admin_api.delete(f"{BASE}/entities/by-uid/{web.pk}").status_code == 204
    assert not Entity.objects.filter(pk=web.pk).exists()
    assert EntityHistory.objects.filter(entity_ref=web.ref, change="deleted").exists()
    assert admin_api.delete(f"{BASE}/entities/by-uid/{web.pk}").status_code == 204  # unknown uid: still 204
    refresh_location(catalog)
    assert Entity.objects.filter(ref="component:default/web").exists()  # its location still emits it


def test_ancestry_walks_up_to_the_registered_location(api, catalog):
    body = api.get(f"{BASE}/entities/by-name/component/default/web/ancestry").json()
    assert body["rootEntityRef"] == "component:default/web"
    assert [item["entity"]["kind"] for item in body["items"]] == ["Component", "Location"]
    assert body["items"][0]["parentEntityRefs"] == [catalog.entity_ref]


def test_facets_count_original_values(api, catalog):
    body = api.get(f"{BASE}/entity-facets?facet=kind&facet=metadata.tags&filter=kind=component").json()
    assert body["facets"]["kind"] == [{"value": "Component", "count": 2}]
    assert body["facets"]["metadata.tags"] == [
        {"value": "frontend", "count": 1},
        {"value": "java", "count": 1},
        {"value": "python", "count": 1},
    ]


def test_facets_follow_catalog_changes(api, catalog, write_file, django_capture_on_commit_callbacks):
    assert api.get(f"{BASE}/entity-facets?facet=kind").json()["facets"]["kind"][0] == {"value": "API", "count": 1}
    another_api = "---\n" + CATALOG.split("---")[-1].replace("orders-api", "billing-api")
    write_file("catalog.yaml", CATALOG + another_api)
    with django_capture_on_commit_callbacks(execute=True):
        refresh_location(catalog)
    assert api.get(f"{BASE}/entity-facets?facet=kind").json()["facets"]["kind"][0] == {"value": "API", "count": 2}


def test_relation_facets(api, catalog):
    body = api.get(f"{BASE}/entity-facets?facet=relations.ownedBy").json()
    assert body["facets"]["relations.ownedBy"] == [
        {"value": "group:default/team-a", "count": 1},
        {"value": "group:default/team-b", "count": 2},
    ]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/entities?filter==x", "key is empty"),
        ("/entities?fields=metadata.tags[0]", "array type fields are not supported"),
        ("/entities?limit=0", "limit must be between"),
        ("/entities?limit=abc", "whole number"),
        ("/entities?limit=99999999", "limit must be between"),
        ("/entities?order=sideways:name", "invalid order"),
        ("/entities?after=%%%", "malformed"),
        ("/entities/by-query?cursor=not-a-cursor", "malformed cursor"),
        ("/entities/by-query?cursor=eyJ2IjoxLCJmaWx0ZXIiOlsiPSJdfQ", "malformed cursor"),
        ("/entities/by-query?orderField=name,upwards", "invalid orderField"),
        ("/entity-facets", "at least one"),
    ],
)
def test_bad_query_parameters_are_400_in_backstage_shape(api, catalog, url, message):
    response = api.get(BASE + url)
    assert response.status_code == 400
    body = response.json()
    assert body["error"]["name"] == "InputError" and message in body["error"]["message"]
    assert body["response"] == {"statusCode": 400} and body["request"]["method"] == "GET"


@pytest.mark.parametrize(
    "payload",
    [
        {"entityRefs": "component:default/web"},
        {"entityRefs": [1, 2]},
        {},
        {"entityRefs": ["x"], "query": {"$nonsense": 1}},
        {"entityRefs": ["x"], "query": {"kind": {"$in": "component"}}},
    ],
)
def test_bad_by_refs_bodies_are_400(api, catalog, payload):
    response = api.post(f"{BASE}/entities/by-refs", payload, format="json")
    assert response.status_code == 400 and response.json()["error"]["name"] == "InputError"


def test_wrong_content_type_is_415(api, catalog):
    response = api.post(f"{BASE}/entities/by-refs", "entityRefs=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert response.json()["error"]["name"] == "UnsupportedMediaTypeError"


def test_oversized_body_is_413(api, catalog, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api.post(f"{BASE}/entities/by-refs", {"entityRefs": ["x" * 2000]}, format="json")
    assert response.status_code == 413


def test_unknown_entity_is_404(api, catalog):
    response = api.get(f"{BASE}/entities/by-name/component/default/nothing")
    assert response.status_code == 404
    assert response.json()["error"] == {
        "name": "NotFoundError",
        "message": "No entity named 'nothing' found, with kind 'component' in namespace 'default'",
    }
    assert api.get(f"{BASE}/entities/by-uid/not-a-uuid").status_code == 404


def test_status_items_show_processing_errors(api, catalog, write_file):
    write_file("catalog.yaml", CATALOG.replace("type: website, ", ""))
    refresh_location(catalog)
    web = api.get(f"{BASE}/entities/by-name/component/default/web").json()
    item = web["status"]["items"][0]
    assert item["type"] == "backstage.io/catalog-processing" and item["level"] == "error"
    assert "spec.type" in item["message"]


def _bigger_catalog(write_file, count: int):
    location = register_location(
        validate_location_spec("file", str(write_file(f"big-{count}.yaml", components(count, f"c{count}")))),
        trusted=True,
    )
    refresh_location(location)


@pytest.mark.parametrize(
    "url",
    [
        "/entities?limit={n}",
        "/entities/by-query?limit={n}",
        "/entities/by-query?limit={n}&orderField=metadata.name,asc&filter=kind=component",
    ],
)
def test_query_count_does_not_grow_with_page_size(api, write_file, url):
    _bigger_catalog(write_file, 40)
    counts = []
    for size in (10, 20):
        api.get(BASE + url.format(n=size))  # warm: totals are cached per catalog version
        with CaptureQueriesContext(connection) as queries:
            assert api.get(BASE + url.format(n=size)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="entities are rendered by PostgreSQL only there")
def test_small_unpaged_answer_is_one_query_and_a_large_one_streams_the_same_entities(api, catalog, monkeypatch):
    everything = api.get(f"{BASE}/entities", {"fields": "metadata.name"}).json()  # rendered in Python
    monkeypatch.setattr("catalog.api.pages.STREAM_ABOVE", len(everything))

    api.get(f"{BASE}/entities")  # warm the token and caches
    with CaptureQueriesContext(connection) as queries:
        small = api.get(f"{BASE}/entities")
    assert not small.streaming and len(queries) == 1
    assert names(small.json()) == names(everything)

    monkeypatch.setattr("catalog.api.pages.STREAM_ABOVE", len(everything) - 1)
    large = api.get(f"{BASE}/entities")
    assert large.streaming
    assert json.loads(b"".join(large.streaming_content)) == small.json()


@pytest.mark.parametrize(
    "params",
    [{"filter": "kind=\x00"}, {"filter": "\x00"}, {"fullTextFilterTerm": "we\x00b"}],
)
def test_nul_characters_in_filters_and_terms_are_refused_clearly(api, catalog, params):
    response = api.get(f"{BASE}/entities/by-query", params)

    assert response.status_code == 400
    assert response.json()["error"]["name"] == "InputError"
    assert "NUL" in response.json()["error"]["message"]


WIDE_VALUES = """
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: wide, description: "line\\u2028separator, caf\\u00e9"}
spec: {type: service, lifecycle: production, owner: team-a, build: 9007199254740993, ratio: 0.0000001}
"""


@pytest.mark.parametrize(
    "path",
    [
        "/entities?filter=metadata.name=wide&limit=5&fields=metadata.description,spec.build,spec.ratio,spec.nothing",
        "/entities/by-query?filter=metadata.name=wide&limit=5&fields=metadata.description,spec.build,spec.ratio,spec.nothing",
    ],
)
def test_selected_fields_keep_every_value_exactly(api, load_catalog, path):
    load_catalog(WIDE_VALUES)
    response = api.get(BASE + path)
    assert response.status_code == 200
    body = response.json()
    items = body if isinstance(body, list) else body["items"]
    expected = {
        "metadata": {"description": "line\u2028separator, caf\u00e9"},
        "spec": {"build": 9007199254740993, "ratio": 1e-07},
    }
    assert items == [expected]
    assert "\u2028".encode() not in response.content  # escaped, as the renderer writes it

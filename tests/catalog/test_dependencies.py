"""The Dependencies tab: what fails with an entity (dependents) and what it fails with (dependencies)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from catalog.lookups.dependencies import failure_impact
from catalog.lookups.ownership import dependencies_of
from catalog.models import Entity
from catalog.tabs import dependencies_context, has_dependencies
from tests.catalog.test_owner_lookup import ORG, api, component

pytestmark = pytest.mark.django_db


def depths(walk) -> dict[str, int]:
    return {item.ref: item.depth for item in walk.items}


def test_dependencies_follow_depends_on_transitively(load_catalog):
    load_catalog(
        ORG
        + component("web", dependsOn="[component:orders]")
        + component("orders", dependsOn="[resource:orders-db]")
        + "---\napiVersion: backstage.io/v1alpha1\nkind: Resource\nmetadata: {name: orders-db}\n"
        "spec: {type: database, owner: team-a}\n"
    )
    walk = dependencies_of("component:default/web")
    assert depths(walk) == {"component:default/orders": 1, "resource:default/orders-db": 2}
    assert walk.items[1].via == [
        {"type": "dependsOn", "targetRef": "component:default/orders"},
        {"type": "dependsOn", "targetRef": "resource:default/orders-db"},
    ]
    assert walk.truncated is False


def test_dependency_of_written_on_the_other_entity_counts(load_catalog):
    load_catalog(ORG + component("cache", dependencyOf="[component:web]") + component("web"))
    walk = dependencies_of("component:default/web")
    assert [(item.ref, item.via) for item in walk.items] == [
        ("component:default/cache", [{"type": "dependsOn", "targetRef": "component:default/cache"}])
    ]


def test_dependencies_go_through_consumed_apis_to_their_providers(load_catalog):
    load_catalog(
        ORG
        + component("checkout", consumesApis="[orders-api]")
        + api("orders-api")
        + component("orders", providesApis="[orders-api]", dependsOn="[component:db-proxy]")
        + component("db-proxy")
    )
    walk = dependencies_of("component:default/checkout")
    assert depths(walk) == {
        "api:default/orders-api": 1,
        "component:default/orders": 2,
        "component:default/db-proxy": 3,
    }
    assert walk.items[1].via == [
        {"type": "consumesApi", "targetRef": "api:default/orders-api"},
        {"type": "apiProvidedBy", "targetRef": "component:default/orders"},
    ]


def test_dependencies_walk_a_cycle_once(load_catalog):
    load_catalog(
        ORG
        + component("a", dependsOn="[component:b]")
        + component("b", dependsOn="[component:c]")
        + component("c", dependsOn="[component:a]")
    )
    walk = dependencies_of("component:default/a")
    assert depths(walk) == {"component:default/b": 1, "component:default/c": 2}
    assert walk.truncated is False


def test_dependencies_cap_truncates_in_a_fixed_order(load_catalog):
    needs = ", ".join(f"component:lib-{index}" for index in (4, 2, 0, 3, 1))
    load_catalog(ORG + component("app", dependsOn=f"[{needs}]") + "".join(component(f"lib-{i}") for i in range(5)))
    walk = dependencies_of("component:default/app", limit=3)
    assert [item.ref for item in walk.items] == [f"component:default/lib-{i}" for i in range(3)]
    assert walk.truncated is True


def test_dependencies_depth_limit_truncates(load_catalog):
    chain = component("a", dependsOn="[component:b]") + component("b", dependsOn="[component:c]") + component("c")
    load_catalog(ORG + chain)
    walk = dependencies_of("component:default/a", max_depth=1)
    assert depths(walk) == {"component:default/b": 1}
    assert walk.truncated is True


def test_failure_impact_gives_both_directions_with_owners(load_catalog):
    load_catalog(
        ORG
        + component("orders", owner="user:alice", dependsOn="[component:db-proxy]")
        + component("db-proxy")
        + component("web", dependsOn="[component:orders]")
    )
    impact = failure_impact("component:default/orders")
    [dependent] = impact["dependents"]["items"]
    [dependency] = impact["dependencies"]["items"]
    assert dependent["entityRef"] == "component:default/web"
    assert dependent["ownerRef"] == "group:default/team-a"
    assert dependent["ownerEmail"] == "team-a@example.com"
    assert dependency["entityRef"] == "component:default/db-proxy"
    assert dependency["via"] == [{"type": "dependsOn", "targetRef": "component:default/db-proxy"}]
    assert impact["dependents"]["truncated"] is impact["dependencies"]["truncated"] is False


def impact_queries(ref: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        failure_impact(ref)
    return len(queries)


def test_failure_impact_query_count_does_not_grow_with_fan_out(load_catalog):
    counts = []
    for size in (3, 30):
        needs = ", ".join(f"component:lib-{i}" for i in range(size))
        libraries = "".join(component(f"lib-{i}") for i in range(size))
        users = "".join(
            component(f"user-{i}", owner=f"team-{i % 3}", dependsOn="[component:core]") for i in range(size)
        )
        load_catalog(ORG + component("core", dependsOn=f"[{needs}]") + users + libraries)
        counts.append(impact_queries("component:default/core"))
    # One query per walk (dependents, dependencies) whatever its depth; summaries of the entities
    # with their owners, and of the owners with their profiles.
    assert counts == [4, 4]


def test_dependencies_tab_applies_to_components_apis_and_resources(load_catalog):
    load_catalog(ORG + component("web") + api("orders-api"))
    kinds = {entity.kind: has_dependencies(entity) for entity in Entity.objects.all()}
    assert kinds == {"Component": True, "API": True, "Group": False, "User": False, "Location": False}


def test_dependencies_tab_renders_both_tables_with_paths(load_catalog):
    load_catalog(
        ORG
        + component("checkout", consumesApis="[orders-api]")
        + api("orders-api")
        + component("orders", providesApis="[orders-api]")
        + component("mobile", dependsOn="[component:checkout]")
    )
    entity = Entity.objects.get(ref="component:default/checkout")
    data = dependencies_context(RequestFactory().get("/"), entity)
    page = render_to_string("catalog/tabs/dependencies.html", {"data": data, "entity": entity})
    dependents, dependencies = page.split('id="dependencies-tab-heading"')
    assert '<a href="/catalog/component/default/mobile/">mobile</a>' in dependents
    assert '<a href="/catalog/component/default/orders/">orders</a>' in dependencies
    # The path to the provider runs through the API it consumes.
    assert (
        '<span class="relation-type">consumesApi</span> → '
        '<bdi><a href="/catalog/api/default/orders-api/">orders-api</a></bdi>'
        ' → <span class="relation-type">apiProvidedBy</span>' in dependencies
    )
    assert '<a href="/catalog/group/default/team-a/">team-a</a>' in dependencies


def test_dependencies_tab_says_when_there_is_nothing(load_catalog):
    load_catalog(ORG + component("alone"))
    entity = Entity.objects.get(ref="component:default/alone")
    data = dependencies_context(RequestFactory().get("/"), entity)
    page = render_to_string("catalog/tabs/dependencies.html", {"data": data, "entity": entity})
    assert "Nothing in the catalog depends on it." in page
    assert "It depends on nothing in the catalog." in page


def test_dependencies_tab_says_when_the_list_is_cut(load_catalog, monkeypatch):
    import catalog.lookups.dependencies as dependencies

    monkeypatch.setattr(dependencies, "MAX_ITEMS", 2)
    load_catalog(ORG + component("core") + "".join(component(f"s{i}", dependsOn="[component:core]") for i in range(3)))
    entity = Entity.objects.get(ref="component:default/core")
    page = render_to_string(
        "catalog/tabs/dependencies.html", {"data": dependencies_context(RequestFactory().get("/"), entity)}
    )
    assert "Showing the nearest 2; more depend on it (up to 10 hops, 2 entities)." in page


def test_dependencies_tab_page_lists_both_directions(reader, load_catalog):
    load_catalog(
        ORG + component("web", dependsOn="[component:orders]") + component("orders", dependsOn="[component:db]")
    )
    response = reader.get("/catalog/component/default/orders/dependencies/")
    page = response.content.decode()
    assert response.status_code == 200
    assert '<a href="/catalog/component/default/orders/dependencies/" aria-current="page">Dependencies</a>' in page
    dependents, dependencies = page.split('id="dependencies-tab-heading"')
    assert '<a href="/catalog/component/default/web/">web</a>' in dependents
    assert '<bdi>component:default/db</bdi> <span class="muted">(not in the catalog)</span>' in dependencies


def test_dependencies_tab_is_not_offered_for_groups(reader, load_catalog):
    load_catalog(ORG)
    assert reader.get("/catalog/group/default/team-a/dependencies/").status_code == 404
    assert "/dependencies/" not in reader.get("/catalog/group/default/team-a/").content.decode()

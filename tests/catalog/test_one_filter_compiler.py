"""One filter compiler: the explorer, ``GET /entities``, ``/entities/by-query``, facets and Soundcheck's
selection (in SQL and in memory) select the same entities for the same Backstage filter expressions."""

from __future__ import annotations

import html

import pytest

from catalog.models import Entity
from catalog.services import refresh_location, register_location, validate_location_spec
from soundcheck.selection import EntityFilterError, entities_matching
from soundcheck.targets import filter_matches

pytestmark = pytest.mark.django_db
BASE = "/api/catalog"

CATALOG = """
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: web
  title: Web shop
  tags: [python, frontend]
  annotations:
    backstage.io/techdocs-ref: dir:.
    github.com/project-slug: acme/Web
  labels: {tier: front, acme.io/cost-center: CC-42}
spec: {type: website, lifecycle: production, owner: team-a, system: shop}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: orders
  tags: [java]
  annotations: {pagerduty.com/service-id: P123}
  labels: {tier: back}
spec:
  type: service
  lifecycle: experimental
  owner: team-b
  system: shop
  dependsOn: [resource:orders-db]
  providesApis: [orders-api]
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: legacy, namespace: ops}
spec: {type: service, lifecycle: deprecated, owner: group:default/team-a}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: billing
  namespace: finance
  tags: [java, c++]
  annotations: {acme.io/url: "https://x.example/a?b=c&d=e"}
spec: {type: service, lifecycle: production, owner: payments}
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: orders-api}
spec: {type: openapi, lifecycle: production, owner: team-b, system: shop, definition: "openapi: 3.0.0"}
---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata: {name: orders-db}
spec: {type: database, owner: team-b, system: shop}
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata: {name: shop}
spec: {owner: team-a, domain: commerce}
---
apiVersion: backstage.io/v1alpha1
kind: Domain
metadata: {name: commerce}
spec: {owner: team-a}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-a}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-b}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: payments, namespace: finance}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: alice}
spec: {memberOf: [team-a]}
"""

WEB, ORDERS, LEGACY, BILLING = (
    "component:default/web",
    "component:default/orders",
    "component:ops/legacy",
    "component:finance/billing",
)
API, DB, SHOP, COMMERCE = (
    "api:default/orders-api",
    "resource:default/orders-db",
    "system:default/shop",
    "domain:default/commerce",
)
TEAM_A, TEAM_B, PAYMENTS, ALICE = (
    "group:default/team-a",
    "group:default/team-b",
    "group:finance/payments",
    "user:default/alice",
)
OWNED = {WEB, ORDERS, LEGACY, BILLING, API, DB, SHOP, COMMERCE}

# (filter parameters, the refs they select, read off the descriptors above; None: not written out,
# the five readers must still agree).
CASES: list[tuple[list[str], set[str] | None]] = [
    (["kind=component"], {WEB, ORDERS, LEGACY, BILLING}),
    (["kind=API"], {API}),
    (["KIND=Component,SPEC.TYPE=Service"], {ORDERS, LEGACY, BILLING}),
    (["spec.type=website,spec.type=openapi"], {WEB, API}),
    (["kind=api", "kind=resource"], {API, DB}),
    (["spec.lifecycle=production"], {WEB, BILLING, API}),
    (["kind=component,spec.lifecycle=production"], {WEB, BILLING}),
    (["metadata.tags=java"], {ORDERS, BILLING}),
    (["metadata.tags=C++"], {BILLING}),
    (["metadata.tags"], {WEB, ORDERS, BILLING}),
    (["metadata.namespace=finance"], {BILLING, PAYMENTS}),
    (["metadata.namespace=default,kind=group"], {TEAM_A, TEAM_B}),
    (["metadata.annotations.backstage.io/techdocs-ref"], {WEB}),
    (["metadata.annotations.github.com/project-slug=ACME/web"], {WEB}),
    (["metadata.annotations.acme.io/url=https://x.example/a?b=c&d=e"], {BILLING}),
    (["metadata.labels.tier=back"], {ORDERS}),
    (["metadata.labels.acme.io/cost-center=cc-42"], {WEB}),
    (["metadata.labels.tier"], {WEB, ORDERS}),
    (["relations.ownedby=group:default/team-a"], {WEB, LEGACY, SHOP, COMMERCE}),
    (["relations.ownedBy=Group:Finance/Payments"], {BILLING}),
    (["relations.partof=system:default/shop"], {WEB, ORDERS, API, DB}),
    (["relations.ownerof"], {TEAM_A, TEAM_B, PAYMENTS}),
    (["relations.dependencyof=component:default/orders"], {DB}),
    (["relations.hasmember=user:default/alice"], {TEAM_A}),
    (["kind=component,relations.ownedby=group:default/team-b", "kind=api,spec.lifecycle=production"], {ORDERS, API}),
    (["spec.owner"], OWNED),
    (["kind=nosuchkind"], set()),
    (["relations.nosuchrelation=x"], set()),
    (["spec.type=service,metadata.tags=java,metadata.namespace=finance"], {BILLING}),
    (["metadata.name=web,metadata.name=orders,spec.lifecycle=production"], {WEB}),
    (["kind=location"], None),
    (["metadata.annotations.backstage.io/managed-by-location,kind=user"], {ALICE}),
]


@pytest.fixture
def catalog(write_file):
    location = register_location(validate_location_spec("file", str(write_file("c.yaml", CATALOG))), trusted=True)
    refresh_location(location)
    assert Entity.objects.filter(processing_errors=[]).count() == Entity.objects.count() == 13


def item_ref(item: dict) -> str:
    metadata = item["metadata"]
    return f"{item['kind']}:{metadata.get('namespace', 'default')}/{metadata['name']}".lower()


def through_explorer(reader, filters: list[str]) -> set[str]:
    response = reader.get("/catalog/", {"filter": filters})
    assert response.status_code == 200
    refs = {entity.ref for entity in response.context["rows"]}
    assert response.context["page"].paginator.count == len(refs)
    return refs


def through_list(api, filters: list[str]) -> set[str]:
    response = api.get(f"{BASE}/entities", {"filter": filters, "fields": "kind,metadata.name,metadata.namespace"})
    assert response.status_code == 200
    return {item_ref(item) for item in response.json()}


def through_by_query(api, filters: list[str]) -> set[str]:
    response = api.get(
        f"{BASE}/entities/by-query",
        {"filter": filters, "limit": 100, "fields": "kind,metadata.name,metadata.namespace"},
    )
    assert response.status_code == 200
    body = response.json()
    refs = {item_ref(item) for item in body["items"]}
    assert body["totalItems"] == len(refs)
    return refs


def through_facets(api, filters: list[str]) -> set[str]:
    response = api.get(f"{BASE}/entity-facets", {"facet": ["metadata.uid", "kind"], "filter": filters})
    assert response.status_code == 200
    facets = response.json()["facets"]
    uids = [item["value"] for item in facets["metadata.uid"]]
    assert all(item["count"] == 1 for item in facets["metadata.uid"])
    assert sum(item["count"] for item in facets["kind"]) == len(uids)
    return set(Entity.objects.filter(pk__in=uids).values_list("ref", flat=True))


def through_soundcheck(filters: list[str]) -> set[str]:
    entity_filter = {"filter": filters}
    in_sql = set(entities_matching(entity_filter).values_list("ref", flat=True))
    loaded = Entity.objects.all().with_relations()
    in_memory = {entity.ref for entity in loaded if filter_matches(entity_filter, entity)}
    assert in_memory == in_sql
    return in_sql


@pytest.mark.parametrize(("filters", "expected"), CASES, ids=[" | ".join(filters) for filters, _ in CASES])
def test_every_reader_selects_the_same_entities(reader, api, catalog, filters, expected):
    explorer = through_explorer(reader, filters)
    assert through_list(api, filters) == explorer
    assert through_by_query(api, filters) == explorer
    assert through_facets(api, filters) == explorer
    assert through_soundcheck(filters) == explorer
    if expected is not None:
        assert explorer == expected


def test_the_cases_are_thirty_and_mostly_written_out():
    assert len(CASES) >= 30
    assert sum(expected is not None for _, expected in CASES) >= 30
    assert sum(expected == set() for _, expected in CASES) >= 2


def test_the_explorer_fields_are_conditions_of_the_same_compiler(reader, api, catalog):
    fields = {"kind": "Component", "type": "SERVICE", "owner": "team-a", "namespace": "ops"}
    response = reader.get("/catalog/", fields)
    assert {entity.ref for entity in response.context["rows"]} == {LEGACY}
    expression = "kind=component,spec.type=service,relations.ownedby=group:default/team-a,metadata.namespace=ops"
    assert through_list(api, [expression]) == {LEGACY}


def test_explorer_fields_and_filter_expressions_are_anded(reader, catalog):
    response = reader.get("/catalog/", {"kind": "component", "filter": ["metadata.tags=java", "spec.type=website"]})
    assert {entity.ref for entity in response.context["rows"]} == {WEB, ORDERS, BILLING}
    # Kept in the form, so the next change of a select (htmx or a plain submit) keeps them.
    assert '<input type="hidden" name="filter" value="metadata.tags=java">' in response.content.decode()
    response = reader.get("/catalog/", {"tag": "java", "lifecycle": "production", "filter": ["kind=component"]})
    assert {entity.ref for entity in response.context["rows"]} == {BILLING}


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("=x", "invalid filter statement '=x': the key is empty"),
        (" , ", "invalid filter ' , ': it has no statements"),
        ("kind=a,=b", "invalid filter statement '=b': the key is empty"),
    ],
)
def test_bad_filter_syntax_is_the_same_400_everywhere(reader, api, catalog, expression, message):
    for path in ("entities", "entities/by-query", "entity-facets"):
        response = api.get(f"{BASE}/{path}", {"filter": ["kind=component", expression], "facet": "kind"})
        assert response.status_code == 400, path
        assert response.json()["error"] == {"name": "InputError", "message": message}, path
    page = reader.get("/catalog/", {"filter": ["kind=component", expression]})
    assert page.status_code == 400
    assert page.context["filter_error"] == message
    assert html.escape(message) in page.content.decode()
    with pytest.raises(EntityFilterError) as raised:
        entities_matching({"filter": ["kind=component", expression]})
    assert str(raised.value) == f"filter.filter[1]: {message}"

"""Owner lookup: owner, contacts, members, parent chain and transitive dependents in one request."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.services import refresh_location, register_location, validate_location_spec

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.catalog.lookup_urls")]

ORG = """
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-a
  title: Team A
  annotations:
    slack.com/channel: team-a
    pagerduty.com/service-id: PTEAMA
    github.com/team-slug: org/team-a
  links: [{url: "https://wiki.example.com/team-a", title: Wiki}]
spec:
  type: team
  parent: platform
  children: []
  members: [alice]
  profile: {email: team-a@example.com, displayName: The A Team}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: platform, title: Platform}
spec: {type: department, parent: engineering, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: engineering}
spec: {type: org, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: alice}
spec:
  profile: {email: alice@example.com, displayName: Alice Liddell}
  memberOf: []
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: bob}
spec:
  profile: {email: bob@example.com}
  memberOf: [team-a]
"""


def component(name: str, owner: str = "team-a", **spec: str) -> str:
    fields = "".join(f", {key}: {value}" for key, value in spec.items())
    return (
        "---\napiVersion: backstage.io/v1alpha1\nkind: Component\n"
        f"metadata: {{name: {name}}}\n"
        f"spec: {{type: service, lifecycle: production, owner: {owner}{fields}}}\n"
    )


def api(name: str, owner: str = "team-a") -> str:
    return (
        "---\napiVersion: backstage.io/v1alpha1\nkind: API\n"
        f"metadata: {{name: {name}}}\n"
        f"spec: {{type: openapi, lifecycle: production, owner: {owner}, definition: x}}\n"
    )


WEB = """
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: web
  title: Web shop
  description: The storefront
  annotations:
    slack.com/channel: web-alerts
    example.com/escalation-policy: web-critical
    backstage.io/techdocs-ref: dir:.
spec: {type: website, lifecycle: production, owner: team-a}
"""


@pytest.fixture
def load(write_file, settings):
    settings.API_ANONYMOUS_READ = True

    def load(text: str) -> None:
        path = write_file("catalog.yaml", text)
        refresh_location(register_location(validate_location_spec("file", str(path)), exists_ok=True, trusted=True))

    return load


def get(client, path: str, status: int = 200) -> dict:
    response = client.get(path)
    assert response.status_code == status, response.content
    return response.json()


def dependents(body: dict) -> dict[str, dict]:
    return {item["entityRef"]: item for item in body["dependents"]["items"]}


def test_owner_group_with_email_links_and_members(client, load):
    load(ORG + WEB)
    body = get(client, "/api/catalog/owners/component/default/web")
    assert body["entity"] == {
        "entityRef": "component:default/web",
        "kind": "Component",
        "name": "web",
        "title": "Web shop",
        "description": "The storefront",
    }
    assert body["ownerRef"] == "group:default/team-a"
    assert body["ownerMissing"] is None
    owner = body["owner"]
    assert owner["entityRef"] == "group:default/team-a"
    assert owner["kind"] == "Group"
    assert owner["title"] == "Team A"
    assert owner["email"] == "team-a@example.com"
    assert owner["links"] == [{"url": "https://wiki.example.com/team-a", "title": "Wiki"}]
    assert owner["members"] == [
        {
            "entityRef": "user:default/alice",
            "name": "alice",
            "displayName": "Alice Liddell",
            "email": "alice@example.com",
        },
        {"entityRef": "user:default/bob", "name": "bob", "displayName": "bob", "email": "bob@example.com"},
    ]


def test_parent_chain_runs_up_to_the_root(client, load):
    load(ORG + WEB)
    owner = get(client, "/api/catalog/owners/component/default/web")["owner"]
    assert owner["parents"] == [
        {"entityRef": "group:default/platform", "title": "Platform"},
        {"entityRef": "group:default/engineering", "title": "engineering"},
    ]


def test_parent_cycle_stops(client, load):
    cycle = ORG.replace("spec: {type: org, children: []}", "spec: {type: org, parent: team-a, children: []}")
    load(cycle + WEB)
    owner = get(client, "/api/catalog/owners/component/default/web")["owner"]
    assert [parent["entityRef"] for parent in owner["parents"]] == [
        "group:default/platform",
        "group:default/engineering",
    ]


def group(name: str, **spec: str) -> str:
    fields = "".join(f", {key}: {value}" for key, value in spec.items())
    header = "---\napiVersion: backstage.io/v1alpha1\nkind: Group\n"
    return f"{header}metadata: {{name: {name}}}\nspec: {{type: team{fields}}}\n"


def test_declared_parent_wins_over_groups_listing_it_as_child(client, load):
    load(
        group("squad", parent="zeta", children="[]")
        + group("alpha", children="[squad]")
        + group("zeta", children="[]")
        + component("app", owner="squad")
    )
    owner = get(client, "/api/catalog/owners/component/default/app")["owner"]
    assert [parent["entityRef"] for parent in owner["parents"]] == ["group:default/zeta"]


def test_without_declared_parent_the_first_listing_group_by_ref_is_followed(client, load):
    load(
        group("squad", children="[]")
        + group("zeta", children="[squad]")
        + group("beta", children="[squad]", parent="root")
        + group("root", children="[]")
        + component("app", owner="squad")
    )
    owner = get(client, "/api/catalog/owners/component/default/app")["owner"]
    assert [parent["entityRef"] for parent in owner["parents"]] == ["group:default/beta", "group:default/root"]


def test_contacts_come_from_owner_and_entity_annotations(client, load):
    load(ORG + WEB)
    body = get(client, "/api/catalog/owners/component/default/web")
    assert body["contacts"] == [
        {"key": "pagerduty.com/service-id", "value": "PTEAMA", "entityRef": "group:default/team-a"},
        {"key": "slack.com/channel", "value": "team-a", "entityRef": "group:default/team-a"},
        {
            "key": "example.com/escalation-policy",
            "value": "web-critical",
            "entityRef": "component:default/web",
        },
        {"key": "slack.com/channel", "value": "web-alerts", "entityRef": "component:default/web"},
    ]


def test_owner_can_be_a_user(client, load):
    load(ORG + component("tool", owner="user:alice"))
    owner = get(client, "/api/catalog/owners/component/default/tool")["owner"]
    assert owner["entityRef"] == "user:default/alice"
    assert owner["kind"] == "User"
    assert owner["displayName"] == "Alice Liddell"
    assert owner["email"] == "alice@example.com"
    assert owner["members"] == []
    assert owner["parents"] == []


def test_owner_not_in_catalog_keeps_its_ref(client, load):
    load(component("orphaned", owner="team-gone"))
    body = get(client, "/api/catalog/owners/component/default/orphaned")
    assert body["owner"] is None
    assert body["ownerRef"] == "group:default/team-gone"
    assert body["ownerMissing"] == "its owner group:default/team-gone is not in the catalog"


def test_entity_without_owner_says_so(client, load):
    load(ORG)
    body = get(client, "/api/catalog/owners/user/default/alice")
    assert body["owner"] is None
    assert body["ownerRef"] is None
    assert body["ownerMissing"] == "user:default/alice has no owner (no ownedBy relation)"


def test_query_parameter_form_defaults_the_namespace_and_ignores_case(client, load):
    load(ORG + WEB)
    body = get(client, "/api/catalog/owners?entityRef=Component:WEB")
    assert body["entity"]["entityRef"] == "component:default/web"
    assert get(client, "/api/catalog/owners/COMPONENT/Default/Web")["ownerRef"] == "group:default/team-a"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "entityRef is required, e.g. entityRef=component:default/web"),
        ("?entityRef=web", "entityRef: entity reference 'web' had missing or empty kind"),
        ("?entityRef=component:default/web&maxDepth=0", "maxDepth must be between 1 and 10, got 0"),
        ("?entityRef=component:default/web&limit=many", "limit must be an integer, got 'many'"),
    ],
)
def test_malformed_request_is_an_input_error(client, load, query, message):
    load(ORG + WEB)
    body = get(client, "/api/catalog/owners" + query, status=400)
    assert body["error"] == {"name": "InputError", "message": message}


def test_unknown_entity_is_backstage_not_found(client, load):
    load(ORG)
    body = get(client, "/api/catalog/owners/component/default/nope", status=404)
    assert body == {
        "error": {
            "name": "NotFoundError",
            "message": "No entity named 'nope' found, with kind 'component' in namespace 'default'",
        },
        "request": {"method": "GET", "url": "/api/catalog/owners/component/default/nope"},
        "response": {"statusCode": 404},
    }


def test_anonymous_read_refused_when_switched_off(client, load, settings):
    load(ORG + WEB)
    settings.API_ANONYMOUS_READ = False
    body = get(client, "/api/catalog/owners/component/default/web", status=401)
    assert body["error"]["name"] == "AuthenticationError"


CHAIN = (
    ORG
    + component("db-proxy")
    + component("orders", dependsOn="[component:db-proxy]")
    + component("checkout", owner="user:alice", dependsOn="[component:orders]")
    + component("storefront", dependsOn="[component:checkout]")
)


def test_dependents_are_transitive_through_depends_on(client, load):
    load(CHAIN)
    found = dependents(get(client, "/api/catalog/owners/component/default/db-proxy"))
    assert {ref: item["depth"] for ref, item in found.items()} == {
        "component:default/orders": 1,
        "component:default/checkout": 2,
        "component:default/storefront": 3,
    }
    assert found["component:default/checkout"]["via"] == [
        {"type": "dependencyOf", "targetRef": "component:default/orders"},
        {"type": "dependencyOf", "targetRef": "component:default/checkout"},
    ]
    assert found["component:default/checkout"]["ownerRef"] == "user:default/alice"
    assert found["component:default/checkout"]["ownerEmail"] == "alice@example.com"
    assert found["component:default/orders"]["ownerEmail"] == "team-a@example.com"
    assert found["component:default/orders"]["title"] == "orders"


def test_dependency_of_written_on_the_entity_counts(client, load):
    load(ORG + component("cache", dependencyOf="[component:web]") + component("web"))
    found = dependents(get(client, "/api/catalog/owners/component/default/cache"))
    assert found["component:default/web"]["via"] == [{"type": "dependencyOf", "targetRef": "component:default/web"}]


def test_dependents_follow_provided_apis_to_their_consumers(client, load):
    load(
        ORG
        + component("orders", providesApis="[orders-api]")
        + api("orders-api")
        + component("checkout", consumesApis="[orders-api]")
        + component("mobile", dependsOn="[component:checkout]")
    )
    found = dependents(get(client, "/api/catalog/owners/component/default/orders"))
    assert {ref: item["depth"] for ref, item in found.items()} == {
        "api:default/orders-api": 1,
        "component:default/checkout": 2,
        "component:default/mobile": 3,
    }
    assert found["component:default/checkout"]["via"] == [
        {"type": "providesApi", "targetRef": "api:default/orders-api"},
        {"type": "apiConsumedBy", "targetRef": "component:default/checkout"},
    ]
    assert found["api:default/orders-api"]["kind"] == "API"


def test_api_dependents_are_its_consumers(client, load):
    load(ORG + api("orders-api") + component("checkout", consumesApis="[orders-api]"))
    found = dependents(get(client, "/api/catalog/owners/api/default/orders-api"))
    assert list(found) == ["component:default/checkout"]


def test_dangling_dependent_is_listed_as_not_in_catalog(client, load):
    load(ORG + component("cache", dependencyOf="[component:ghost]"))
    found = dependents(get(client, "/api/catalog/owners/component/default/cache"))
    assert found["component:default/ghost"]["inCatalog"] is False
    assert found["component:default/ghost"]["title"] is None


def test_dependency_cycle_is_walked_once(client, load):
    load(
        ORG
        + component("a", dependsOn="[component:c]")
        + component("b", dependsOn="[component:a]")
        + component("c", dependsOn="[component:b]")
    )
    body = get(client, "/api/catalog/owners/component/default/a")
    assert {ref: item["depth"] for ref, item in dependents(body).items()} == {
        "component:default/b": 1,
        "component:default/c": 2,
    }
    assert body["dependents"]["truncated"] is False


def test_depth_limit_truncates(client, load):
    load(CHAIN)
    body = get(client, "/api/catalog/owners/component/default/db-proxy?maxDepth=2")
    assert list(dependents(body)) == ["component:default/orders", "component:default/checkout"]
    assert body["dependents"]["truncated"] is True
    assert body["dependents"]["maxDepth"] == 2


def test_depth_limit_reached_exactly_is_not_truncated(client, load):
    load(CHAIN)
    body = get(client, "/api/catalog/owners/component/default/db-proxy?maxDepth=3")
    assert len(body["dependents"]["items"]) == 3
    assert body["dependents"]["truncated"] is False


def test_count_limit_truncates(client, load):
    services = "".join(component(f"s{i}", dependsOn="[component:core]") for i in range(5))
    load(ORG + component("core") + services)
    body = get(client, "/api/catalog/owners/component/default/core?limit=3")
    assert list(dependents(body)) == ["component:default/s0", "component:default/s1", "component:default/s2"]
    assert body["dependents"]["truncated"] is True


def fan_out(count: int) -> str:
    services = "".join(component(f"svc-{i}", owner=f"team-{i % 3}", dependsOn="[component:core]") for i in range(count))
    return ORG + component("core") + services


def count_queries(client, path: str) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as queries:
        body = get(client, path)
    return len(queries), body


def test_query_count_grows_with_depth_not_with_fan_out(client, load):
    load(CHAIN)
    # The entity; 4 walk levels (the last finds nothing); summaries of every entity reached with
    # their owners, in one batch; the owner's members and whole parent chain, in one; the people
    # (owners, members, parents) with their profiles, in one; the owner in full.
    chain, _ = count_queries(client, "/api/catalog/owners/component/default/db-proxy")
    assert chain == 9
    load(fan_out(3))
    small, _ = count_queries(client, "/api/catalog/owners/component/default/core")
    load(fan_out(30))
    large, body = count_queries(client, "/api/catalog/owners/component/default/core")
    assert len(body["dependents"]["items"]) == 30
    # Depth 1: 2 walk levels instead of 4.
    assert small == large == chain - 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="compares PostgreSQL's ordering with Python's")
def test_database_sorted_edge_chunks_equal_python_sorted_edges(load):
    from catalog.lookups import ownership

    load(fan_out(450))
    frontier = ["component:default/core", "group:default/team-a"]
    expected = ownership._sorted_edges_in_python(frontier)
    assert len(expected) > 400  # more than two chunks of 200
    assert list(ownership._sorted_edges_in_chunks(frontier, lambda: 0)) == expected
    walk = ownership.dependents_of("component:default/core", max_depth=1, limit=300)
    assert walk.truncated and [item.ref for item in walk.items] == [edge[2] for edge in expected[:300]]

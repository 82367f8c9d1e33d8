"""Owner lookup: owner, contacts, members, parent chain and transitive dependents in one request."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.api import owners as owners_api
from catalog.lookups import ownership
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
        ("?entityRef=component:default/web&limit=0", "limit must be between 1 and 200, got 0"),
        ("?entityRef=component:default/web&limit=201", "limit must be between 1 and 200, got 201"),
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


def test_limit_is_the_page_size_and_the_cursor_names_the_next_page(client, load):
    services = "".join(component(f"s{i}", dependsOn="[component:core]") for i in range(5))
    load(ORG + component("core") + services)
    first = get(client, "/api/catalog/owners/component/default/core?limit=3")
    assert list(dependents(first)) == ["component:default/s0", "component:default/s1", "component:default/s2"]
    assert first["dependents"]["hasMore"] is True
    assert first["dependents"]["truncated"] is None  # not known before the last page
    cursor = first["dependents"]["pageInfo"]["nextCursor"]
    last = get(client, f"/api/catalog/owners/component/default/core?limit=3&cursor={quote(cursor)}")
    assert list(dependents(last)) == ["component:default/s3", "component:default/s4"]
    assert last["dependents"]["pageInfo"] == {}
    assert last["dependents"]["hasMore"] is False
    assert last["dependents"]["truncated"] is False
    # The rest of the answer is the same on every page.
    assert {key: value for key, value in last.items() if key != "dependents"} == {
        key: value for key, value in first.items() if key != "dependents"
    }


def test_default_page_is_fifty_dependents(client, load):
    load(fan_out(52))
    body = get(client, "/api/catalog/owners/component/default/core")
    assert len(body["dependents"]["items"]) == 50
    assert body["dependents"]["limit"] == 50
    assert body["dependents"]["hasMore"] is True


def walk_pages(client, path: str, limit: int, first: str = "") -> list[dict]:
    """Every page of a lookup, following nextCursor until it is absent (``first`` only on page one)."""
    pages = [get(client, f"{path}?limit={limit}{first}")]
    while "nextCursor" in pages[-1]["dependents"]["pageInfo"]:
        cursor = pages[-1]["dependents"]["pageInfo"]["nextCursor"]
        pages.append(get(client, f"{path}?limit={limit}&cursor={quote(cursor)}"))
    return pages


# Two levels fanning out and a diamond: core <- a0..a5 (depth 1) <- b0..b5 (depth 2, each
# depending on two of the a's), so the walk meets each b twice and must list it once.
DIAMONDS = (
    ORG
    + component("core")
    + "".join(component(f"a{i}", dependsOn="[component:core]") for i in range(6))
    + "".join(component(f"b{i}", dependsOn=f"[component:a{i}, component:a{(i + 1) % 6}]") for i in range(6))
)


def test_pages_tile_the_whole_walk_exactly_once(client, load):
    load(DIAMONDS)
    pages = walk_pages(client, "/api/catalog/owners/component/default/core", limit=4)
    assert [len(page["dependents"]["items"]) for page in pages] == [4, 4, 4]
    listed = [item["entityRef"] for page in pages for item in page["dependents"]["items"]]
    expected = [f"component:default/a{i}" for i in range(6)] + [f"component:default/b{i}" for i in range(6)]
    assert sorted(listed) == sorted(expected)  # no gaps, no duplicates
    whole = get(client, "/api/catalog/owners/component/default/core?limit=200")["dependents"]["items"]
    assert [item for page in pages for item in page["dependents"]["items"]] == whole  # same order, depth, path
    assert [page["dependents"]["hasMore"] for page in pages] == [True, True, False]
    assert pages[-1]["dependents"]["truncated"] is False


def test_page_size_may_change_between_pages(client, load):
    load(DIAMONDS)
    first = get(client, "/api/catalog/owners/component/default/core?limit=5")
    cursor = quote(first["dependents"]["pageInfo"]["nextCursor"])
    rest = get(client, f"/api/catalog/owners/component/default/core?limit=200&cursor={cursor}")
    listed = [item["entityRef"] for body in (first, rest) for item in body["dependents"]["items"]]
    assert len(listed) == len(set(listed)) == 12


def test_cursor_keeps_the_depth_bound_and_the_last_page_says_truncated(client, load):
    load(CHAIN)
    pages = walk_pages(client, "/api/catalog/owners/component/default/db-proxy", 1, "&maxDepth=2")
    assert [list(dependents(page)) for page in pages] == [["component:default/orders"], ["component:default/checkout"]]
    assert [page["dependents"]["maxDepth"] for page in pages] == [2, 2]
    assert [page["dependents"]["truncated"] for page in pages] == [None, True]


def test_cycle_is_listed_once_across_pages(client, load):
    load(
        ORG
        + component("a", dependsOn="[component:c]")
        + component("b", dependsOn="[component:a]")
        + component("c", dependsOn="[component:b]")
    )
    pages = walk_pages(client, "/api/catalog/owners/component/default/a", limit=1)
    assert [list(dependents(page)) for page in pages] == [["component:default/b"], ["component:default/c"]]
    assert pages[-1]["dependents"]["truncated"] is False


def test_walk_stops_at_max_dependents_over_all_pages(client, load, monkeypatch):
    monkeypatch.setattr(ownership, "MAX_DEPENDENTS", 5)
    monkeypatch.setattr(owners_api, "MAX_DEPENDENTS", 5)
    load(fan_out(8))
    pages = walk_pages(client, "/api/catalog/owners/component/default/core", limit=2)
    listed = [item["entityRef"] for page in pages for item in page["dependents"]["items"]]
    assert listed == sorted(f"component:default/svc-{i}" for i in range(8))[:5]
    assert pages[-1]["dependents"]["truncated"] is True
    assert pages[-1]["dependents"]["hasMore"] is False


def cursor_of(data) -> str:
    raw = json.dumps(data).encode() if not isinstance(data, bytes) else data
    return quote(base64.urlsafe_b64encode(raw).decode())


BAD_CURSOR = "malformed cursor: pass dependents.pageInfo.nextCursor of a previous page of this lookup"
WEB_REF = "component:default/web"


@pytest.mark.parametrize(
    ("cursor", "message"),
    [
        ("not-a-cursor!", BAD_CURSOR),
        (cursor_of(b"\xff\xfe"), BAD_CURSOR),
        (cursor_of([1, 2]), BAD_CURSOR),
        (cursor_of({"v": 1, "ref": WEB_REF, "maxDepth": 10}), BAD_CURSOR),
        (cursor_of({"v": 2, "ref": WEB_REF, "maxDepth": 10, "offset": 3}), BAD_CURSOR),
        (cursor_of({"v": 1, "ref": WEB_REF, "maxDepth": 10, "offset": 0}), BAD_CURSOR),
        (cursor_of({"v": 1, "ref": WEB_REF, "maxDepth": 10, "offset": 501}), BAD_CURSOR),
        (cursor_of({"v": 1, "ref": WEB_REF, "maxDepth": 11, "offset": 3}), BAD_CURSOR),
        (cursor_of({"v": 1, "ref": WEB_REF, "maxDepth": True, "offset": 3}), BAD_CURSOR),
        (cursor_of({"v": 1, "ref": WEB_REF, "maxDepth": 10, "offset": "3"}), BAD_CURSOR),
        (
            cursor_of({"v": 1, "ref": "component:default/other", "maxDepth": 10, "offset": 3}),
            "cursor continues the lookup of component:default/other, not of component:default/web",
        ),
    ],
)
def test_bad_cursor_is_an_input_error(client, load, cursor, message):
    load(ORG + WEB)
    body = get(client, f"/api/catalog/owners/component/default/web?cursor={cursor}", status=400)
    assert body["error"] == {"name": "InputError", "message": message}


def test_cursor_and_a_different_max_depth_is_an_input_error(client, load):
    load(CHAIN)
    first = get(client, "/api/catalog/owners/component/default/db-proxy?limit=1&maxDepth=3")
    cursor = quote(first["dependents"]["pageInfo"]["nextCursor"])
    body = get(client, f"/api/catalog/owners/component/default/db-proxy?cursor={cursor}&maxDepth=2", status=400)
    assert body["error"]["message"] == "maxDepth=2 differs from the cursor's 3: drop one"
    same = get(client, f"/api/catalog/owners/component/default/db-proxy?cursor={cursor}&maxDepth=3&limit=1")
    assert list(dependents(same)) == ["component:default/checkout"]


def test_query_parameter_form_pages_too(client, load):
    load(fan_out(3))
    first = get(client, "/api/catalog/owners?entityRef=component:core&limit=2")
    cursor = quote(first["dependents"]["pageInfo"]["nextCursor"])
    last = get(client, f"/api/catalog/owners?entityRef=component:core&limit=2&cursor={cursor}")
    assert list(dependents(last)) == ["component:default/svc-2"]


def test_members_are_bounded_and_counted(client, load, monkeypatch):
    monkeypatch.setattr(ownership, "MAX_MEMBERS", 1)
    load(ORG + WEB)
    owner = get(client, "/api/catalog/owners/component/default/web")["owner"]
    assert [member["entityRef"] for member in owner["members"]] == ["user:default/alice"]
    assert owner["memberCount"] == 2


def test_member_listed_on_both_sides_counts_once(client, load):
    load(ORG.replace("memberOf: []", "memberOf: [team-a]") + WEB)
    owner = get(client, "/api/catalog/owners/component/default/web")["owner"]
    assert [member["entityRef"] for member in owner["members"]] == ["user:default/alice", "user:default/bob"]
    assert owner["memberCount"] == 2


def fan_out(count: int) -> str:
    services = "".join(component(f"svc-{i}", owner=f"team-{i % 3}", dependsOn="[component:core]") for i in range(count))
    return ORG + component("core") + services


def count_queries(client, path: str) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as queries:
        body = get(client, path)
    return len(queries), body


def test_query_count_is_the_same_whatever_the_depth_fan_out_or_page(client, load):
    # The entity; the whole walk, in one recursive query; summaries of every entity on the page
    # with their owners, in one batch; the owner's members and parent chain, in one; the people
    # (owners, members, parents) with their profiles, in one; the owner in full.
    load(CHAIN)
    chain, _ = count_queries(client, "/api/catalog/owners/component/default/db-proxy")
    assert chain == 6
    load(fan_out(3))
    small, _ = count_queries(client, "/api/catalog/owners/component/default/core")
    load(fan_out(60))
    large, body = count_queries(client, "/api/catalog/owners/component/default/core?limit=200")
    assert len(body["dependents"]["items"]) == 60
    cursor = quote(
        get(client, "/api/catalog/owners/component/default/core?limit=7")["dependents"]["pageInfo"]["nextCursor"]
    )
    paged, body = count_queries(client, f"/api/catalog/owners/component/default/core?limit=7&cursor={cursor}")
    assert len(body["dependents"]["items"]) == 7
    assert small == large == paged == chain


def test_dependents_walk_is_one_query_whatever_its_depth(load, django_assert_num_queries):
    long_chain = (
        ORG + component("c0") + "".join(component(f"c{i}", dependsOn=f"[component:c{i - 1}]") for i in range(1, 9))
    )
    load(long_chain)
    with django_assert_num_queries(1):
        walk = ownership.dependents_of("component:default/c0")
    assert [(item.ref, item.depth) for item in walk.items] == [(f"component:default/c{i}", i) for i in range(1, 9)]
    assert walk.items[-1].via == [{"type": "dependencyOf", "targetRef": f"component:default/c{i}"} for i in range(1, 9)]


def test_answer_is_cached_until_the_catalog_changes(client, load, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        load(fan_out(2))
    first, body = count_queries(client, "/api/catalog/owners/component/default/core")
    again, cached = count_queries(client, "/api/catalog/owners/component/default/core")
    assert cached == body
    assert again == 1 < first  # only the entity itself, to resolve the name (or answer 404)
    with django_capture_on_commit_callbacks(execute=True):
        load(fan_out(3))
    assert len(get(client, "/api/catalog/owners/component/default/core")["dependents"]["items"]) == 3


def test_ties_go_to_the_first_origin_in_code_point_order(client, load):
    # "a-c" < "ab" in code points ("-" is 0x2d) but not in most locales, which skip punctuation.
    load(
        ORG
        + component("core")
        + component("ab", dependsOn="[component:core]")
        + component("a-c", dependsOn="[component:core]")
        + component("x", dependsOn="[component:ab, component:a-c]")
    )
    found = get(client, "/api/catalog/owners/component/default/core")["dependents"]["items"]
    assert [item["entityRef"] for item in found] == [
        "component:default/a-c",
        "component:default/ab",
        "component:default/x",
    ]
    assert found[2]["via"] == [
        {"type": "dependencyOf", "targetRef": "component:default/a-c"},
        {"type": "dependencyOf", "targetRef": "component:default/x"},
    ]

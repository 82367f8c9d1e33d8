"""Ownership gaps: missing and orphaned owners, empty groups, ownerless systems; API and page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from catalog.cache import bump_catalog_version
from catalog.models import Entity, Relation

pytestmark = pytest.mark.django_db

URL = "/api/catalog/ownership-gaps"

PEOPLE = """
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-a}
spec: {type: team, children: [], members: [alice]}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-b}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: empty}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: alice}
spec: {memberOf: []}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: bob}
spec: {memberOf: [team-b]}
---
apiVersion: backstage.io/v1alpha1
kind: Domain
metadata: {name: payments}
spec: {owner: team-a}
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata: {name: billing}
spec: {owner: team-a, domain: payments}
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata: {name: loose}
spec: {owner: team-a}
"""
LEAVER = """
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: carol}
spec: {memberOf: [team-a]}
"""


def component(name: str, owner: str, system: str = "") -> str:
    extra = f", system: {system}" if system else ""
    return (
        "---\napiVersion: backstage.io/v1alpha1\nkind: Component\n"
        f"metadata: {{name: {name}}}\n"
        f"spec: {{type: service, lifecycle: production, owner: {owner}{extra}}}\n"
    )


COMPONENTS = (
    component("owned", "team-a", "billing")
    + component("by-group-b", "team-b")
    + component("ghost-owned", "group:default/ghosts", "billing")
    + component("by-leaver", "user:default/carol", "billing")
    + component("by-departed", "user:default/dave")
)


@pytest.fixture
def org(load_catalog):
    load_catalog(PEOPLE + LEAVER + COMPONENTS)
    load_catalog(PEOPLE + COMPONENTS)  # carol left: her User entity is kept, orphaned
    assert Entity.objects.get(ref="user:default/carol").is_orphan
    # Validation asks every system for an owner; one whose relation is gone is still a gap.
    Relation.objects.filter(source_ref="system:default/loose", type="ownedBy").delete()


def by_ref(answer: dict) -> dict[str, dict]:
    return {item["entityRef"]: item for item in answer["items"]}


def test_each_gap_type_and_nothing_else(org, api):
    response = api.get(URL)
    assert response.status_code == 200, response.content
    rows = by_ref(response.json())
    assert {ref: row["gapTypes"] for ref, row in rows.items()} == {
        "component:default/ghost-owned": ["unresolved-owner"],
        "component:default/by-departed": ["unresolved-owner"],
        "component:default/by-leaver": ["orphaned-owner"],
        "group:default/empty": ["empty-group"],
        "system:default/loose": ["ownerless-system"],
    }
    # Negative cases: a resolved owner, a group with a member either way, a group-owned entity.
    for ref in (
        "component:default/owned",
        "component:default/by-group-b",
        "group:default/team-a",
        "group:default/team-b",
    ):
        assert ref not in rows
    ghost = rows["component:default/ghost-owned"]
    assert ghost["ownerRef"] == "group:default/ghosts"
    assert ghost["domainRef"] == "domain:default/payments"
    assert ghost["url"] == "/catalog/component/default/ghost-owned/"
    assert rows["component:default/by-departed"]["domainRef"] is None
    assert rows["system:default/loose"]["ownerRef"] is None


def test_counts_by_type_kind_and_domain(org, api):
    counts = api.get(URL).json()["counts"]
    assert counts == {
        "total": 5,
        "byGapType": {"unresolved-owner": 2, "orphaned-owner": 1, "empty-group": 1, "ownerless-system": 1},
        "byKind": {"Component": 3, "Group": 1, "System": 1},
        "byDomain": {"": 3, "domain:default/payments": 2},
    }


def test_filters_by_gap_type_and_kind(org, api):
    answer = api.get(URL, {"gapType": "unresolved-owner,empty-group"}).json()
    assert sorted(by_ref(answer)) == [
        "component:default/by-departed",
        "component:default/ghost-owned",
        "group:default/empty",
    ]
    assert answer["counts"]["byGapType"] == {"unresolved-owner": 2, "empty-group": 1}
    answer = api.get(URL, {"kind": "component"}).json()
    assert sorted(by_ref(answer)) == [
        "component:default/by-departed",
        "component:default/by-leaver",
        "component:default/ghost-owned",
    ]


def test_pages_follow_the_cursor_to_the_end(org, api):
    seen, params = [], {"limit": 2}
    while True:
        answer = api.get(URL, params).json()
        assert len(answer["items"]) <= 2
        seen += [item["entityRef"] for item in answer["items"]]
        if "nextCursor" not in answer["pageInfo"]:
            break
        params = {"limit": 2, "cursor": answer["pageInfo"]["nextCursor"]}
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 5


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"gapType": "nobody"}, "gapType"),
        ({"limit": "201"}, "limit"),
        ({"limit": "x"}, "limit"),
        ({"cursor": "!!!"}, "cursor"),
        ({"kind": "a\x00"}, "kind"),
    ],
)
def test_bad_parameters_are_400s_naming_the_parameter(org, api, params, named):
    response = api.get(URL, params)
    assert response.status_code == 400
    assert named in response.json()["error"]["message"]


def test_anonymous_as_the_catalog_api(org, settings):
    settings.API_ANONYMOUS_READ = False
    assert APIClient().get(URL).status_code in (401, 403)
    assert APIClient().get("/api/catalog/entities").status_code == APIClient().get(URL).status_code
    settings.API_ANONYMOUS_READ = True
    assert APIClient().get(URL).status_code == 200


def test_query_count_does_not_grow_with_rows(org, api, load_catalog):
    with CaptureQueriesContext(connection) as few:
        assert api.get(URL).status_code == 200
    extra = "".join(component(f"ghost-{n}", f"group:default/nobody-{n}") for n in range(12))
    load_catalog(PEOPLE + COMPONENTS + extra)
    bump_catalog_version()  # the refresh bumps it on commit, which a test transaction never reaches
    with CaptureQueriesContext(connection) as many:
        answer = api.get(URL).json()
    assert answer["counts"]["total"] == 17
    assert len(many.captured_queries) <= len(few.captured_queries)


def test_page_lists_gaps_and_is_linked_from_home(org, client, settings):
    settings.API_ANONYMOUS_READ = True
    page = client.get("/catalog/ownership-gaps/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "group:default/ghosts" in html and "/catalog/component/default/ghost-owned/" in html
    assert "/catalog/component/default/owned/" not in html
    partial = client.get("/catalog/ownership-gaps/", {"gap": "empty-group"}, HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode() and "group/default/empty" in partial.content.decode()
    assert "/catalog/ownership-gaps/" in client.get("/").content.decode()


def test_page_is_for_signed_in_people(org, client, settings):
    settings.API_ANONYMOUS_READ = False
    assert client.get("/catalog/ownership-gaps/").status_code in (302, 403)

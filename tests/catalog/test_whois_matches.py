"""Who owns X when X names several entities: every match is a choice, services first."""

from __future__ import annotations

import pytest

from catalog.lookups.name_matches import find_entities
from tests.catalog.conftest import load_catalog_file

pytestmark = pytest.mark.django_db

UNLOCK = """\
apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: unlock-api}
spec: {type: openapi, lifecycle: production, owner: team-a, definition: "openapi: 3.0.0"}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: unlock-dashboard}
spec: {type: website, lifecycle: production, owner: team-a}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: unlock-service, title: Unlock service}
spec: {type: service, lifecycle: production, owner: team-a}
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata: {name: unlock}
spec: {owner: team-a}
---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata: {name: unlock-db}
spec: {type: database, owner: team-a}
"""


@pytest.fixture
def unlock(write_file):
    return load_catalog_file(write_file, "unlock.yaml", UNLOCK)


def test_an_exact_name_wins_then_services_components_apis_and_resources(unlock):
    assert [entity.ref for entity in find_entities("unlock")] == [
        "system:default/unlock",
        "component:default/unlock-service",
        "component:default/unlock-dashboard",
        "api:default/unlock-api",
        "resource:default/unlock-db",
    ]
    assert [entity.ref for entity in find_entities("unlock-")][:2] == [
        "component:default/unlock-service",
        "component:default/unlock-dashboard",
    ]


def test_an_exact_ref_is_the_only_match(unlock):
    assert [entity.ref for entity in find_entities("api:default/unlock-api")] == ["api:default/unlock-api"]


def test_the_page_offers_every_match_and_looks_up_the_first(reader, unlock):
    page = reader.get("/whois/", {"q": "unlock-"}).content.decode()
    assert "4 entities match “unlock-”; showing the first." in page
    assert '<strong class="chip current" aria-current="true"><bdi>Unlock service</bdi></strong>' in page
    for ref in ("component%3Adefault/unlock-dashboard", "api%3Adefault/unlock-api", "resource%3Adefault/unlock-db"):
        assert f'<a class="chip" href="?q={ref}">' in page
    assert page.index("Pick another") < page.index("If this fails")


def test_one_match_offers_no_choice(reader, unlock):
    page = reader.get("/whois/", {"q": "unlock-db"}).content.decode()
    assert "Pick another" not in page and "If this fails" in page


def test_nothing_matching_says_so(reader, unlock):
    page = reader.get("/whois/", {"q": "padlock"}).content.decode()
    assert "Nothing in the catalog is called “padlock”." in page and "Pick another" not in page

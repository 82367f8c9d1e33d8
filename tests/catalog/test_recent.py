"""Recently visited entity pages: remembered per signed-in person, in the session."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.recent import KEPT, SESSION_KEY
from catalog.services import refresh_location, register_location, validate_location_spec
from tests.catalog.api_fixtures import components

pytestmark = pytest.mark.django_db


def visited(client) -> list[str]:
    return client.session.get(SESSION_KEY, [])


def writes(queries) -> list[str]:
    return [query["sql"] for query in queries if query["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")]


def test_visits_are_remembered_newest_first(client, alice, people_catalog):
    client.force_login(alice)
    client.get("/catalog/component/default/web/")
    client.get("/catalog/api/default/orders-api/")
    assert visited(client) == ["api:default/orders-api", "component:default/web"]


def test_a_page_visited_again_moves_to_the_front_once(client, alice, people_catalog):
    client.force_login(alice)
    for path in ("component/default/web", "component/default/orders", "component/default/web"):
        client.get(f"/catalog/{path}/")
    assert visited(client) == ["component:default/web", "component:default/orders"]


def test_only_the_last_ten_are_kept(client, alice, write_file):
    location = register_location(
        validate_location_spec("file", str(write_file("many.yaml", components(12)))), trusted=True
    )
    refresh_location(location)
    client.force_login(alice)
    for index in range(12):
        client.get(f"/catalog/component/default/svc-{index:03d}/")
    assert visited(client) == [f"component:default/svc-{index:03d}" for index in range(11, 11 - KEPT, -1)]


def test_a_visit_writes_the_session_once_and_a_reload_writes_nothing(client, alice, people_catalog):
    client.force_login(alice)
    with CaptureQueriesContext(connection) as first:
        client.get("/catalog/component/default/web/")
    with CaptureQueriesContext(connection) as reload:
        client.get("/catalog/component/default/web/")
    assert len(writes(first)) == 1 and "django_session" in writes(first)[0]
    assert writes(reload) == []


def test_anonymous_visits_are_not_remembered(client, settings, people_catalog):
    settings.API_ANONYMOUS_READ = True
    client.get("/catalog/component/default/web/")
    assert SESSION_KEY not in client.session


def test_unknown_entity_page_is_not_remembered(client, alice, people_catalog):
    client.force_login(alice)
    client.get("/catalog/component/default/nothing/")
    assert visited(client) == []

"""The explorer's personal filters, "owned by me" and "starred", and their per-person caching."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Entity, Star
from catalog.querysets import relation_q

pytestmark = pytest.mark.django_db


def shown(client, query: str) -> tuple[str, str]:
    """The count line and the table body of the explorer for ``query``, every kind unless it says."""
    page = client.get(f"/catalog/?kind=&{query}" if "kind=" not in query else f"/catalog/?{query}").content.decode()
    return re.search(r"(\d+) entit", page).group(0), page.split("<tbody>")[1].split("</tbody>")[0]


def checkbox_counts(client, query: str = "kind=") -> tuple[str, str]:
    page = client.get(f"/catalog/?{query}").content.decode()
    return re.search(r"Owned by me \((\d+)\)", page).group(1), re.search(r"Starred \((\d+)\)", page).group(1)


def test_owned_by_me_shows_what_my_groups_own(client, alice, people_catalog):
    client.force_login(alice)
    count, rows = shown(client, "owned=me")
    assert count == "1 entit" and "Web shop" in rows and "orders" not in rows


def test_owned_by_me_combines_with_other_filters(client, bob, people_catalog):
    client.force_login(bob)
    assert shown(client, "owned=me")[0] == "2 entit"
    count, rows = shown(client, "owned=me&kind=API")
    assert count == "1 entit" and "orders-api" in rows


def test_owned_by_me_is_empty_for_an_account_without_a_user_entity(client, carol, people_catalog):
    client.force_login(carol)
    assert shown(client, "owned=me")[0] == "0 entit"


def test_owned_by_me_is_empty_for_anonymous_readers(client, settings, people_catalog):
    settings.API_ANONYMOUS_READ = True
    assert shown(client, "owned=me")[0] == "0 entit"
    assert "Owned by me" not in client.get("/catalog/").content.decode()


def test_starred_shows_only_my_stars(client, alice, bob, people_catalog):
    Star.objects.create(user=alice, entity_ref="api:default/orders-api")
    Star.objects.create(user=bob, entity_ref="component:default/web")
    client.force_login(alice)
    count, rows = shown(client, "starred=true")
    assert count == "1 entit" and "orders-api" in rows and "Web shop" not in rows


def test_starred_false_hides_my_stars(client, alice, people_catalog):
    Star.objects.create(user=alice, entity_ref="api:default/orders-api")
    client.force_login(alice)
    total = Entity.objects.count()
    count, rows = shown(client, "starred=false")
    assert count == f"{total - 1} entit" and "orders-api" not in rows


def test_two_people_see_their_own_counts_for_the_same_url(client, alice, bob, people_catalog):
    Star.objects.create(user=bob, entity_ref="component:default/orders")
    client.force_login(alice)
    assert shown(client, "owned=me")[0] == "1 entit"  # cached for alice's ownership refs
    assert shown(client, "starred=true")[0] == "0 entit"
    assert checkbox_counts(client) == ("1", "0")
    client.force_login(bob)
    assert shown(client, "owned=me")[0] == "2 entit"
    count, rows = shown(client, "starred=true")
    assert count == "1 entit" and "orders" in rows
    assert checkbox_counts(client) == ("2", "1")


def test_a_new_star_shows_at_once_despite_the_cache(client, alice, people_catalog):
    client.force_login(alice)
    assert shown(client, "starred=true")[0] == "0 entit"
    assert checkbox_counts(client) == ("1", "0")
    client.post("/catalog/stars/", {"ref": "component:default/orders", "starred": "true"})
    assert shown(client, "starred=true")[0] == "1 entit"
    assert checkbox_counts(client) == ("1", "1")


def test_checkboxes_keep_their_state_from_the_url(client, alice, people_catalog):
    client.force_login(alice)
    page = client.get("/catalog/?owned=me&starred=true").content.decode()
    assert 'name="owned" value="me" checked' in page and 'name="starred" value="true" checked' in page


def test_owned_by_me_uses_the_relation_semi_join(alice, people_catalog):
    sql = str(Entity.objects.owned_by_any(["group:default/team-a"]).query)
    assert str(Entity.objects.filter(relation_q("ownedBy", ("group:default/team-a",))).query) == sql
    assert "UNION ALL" in sql


def test_starred_is_a_ref_in_subquery(alice):
    sql = str(Entity.objects.starred_by(alice).query)
    assert '"catalog_entity"."ref" IN (SELECT' in sql and "catalog_star" in sql


def test_explorer_query_count_with_personal_filters_is_constant(client, alice, people_catalog, starred_components):
    client.force_login(alice)
    counts = []
    for size in (5, 15):
        starred_components(alice, size, f"s{size}")
        client.get("/catalog/?owned=me&starred=true")  # warm the caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/catalog/?owned=me&starred=true").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]

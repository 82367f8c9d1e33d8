"""Curation in the Django admin: entity search, filters and body edits with ingestion's validation;
locations registered, refreshed and unregistered with a preview; orphans deleted in bulk."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Entity, EntityHistory, Location, Relation
from catalog.services import refresh_location, register_location, validate_location_spec
from tests.catalog.api_fixtures import CATALOG, components

pytestmark = pytest.mark.django_db

ORDERS_API = "api:default/orders-api"


@pytest.fixture
def curator(admin_client):
    return admin_client


@pytest.fixture
def catalog_file(write_file):
    return write_file("catalog.yaml", CATALOG)


@pytest.fixture
def catalog(catalog_file):
    location = register_location(validate_location_spec("file", str(catalog_file)), trusted=True)
    refresh_location(location)
    return location


@pytest.fixture
def queued(monkeypatch):
    locations = []
    monkeypatch.setattr("catalog.services.locations.enqueue_refresh", locations.append)
    monkeypatch.setattr("catalog.services.refresh_requests.enqueue_refresh", locations.append)
    return locations


def change_url(entity: Entity) -> str:
    return f"/admin/catalog/entity/{entity.pk}/change/"


def edited_yaml(owner: str = "team-c", title: str = "Orders API") -> str:
    return (
        "apiVersion: backstage.io/v1alpha1\nkind: API\n"
        f"metadata:\n  name: orders-api\n  title: {title}\n"
        f"spec:\n  type: openapi\n  lifecycle: production\n  owner: {owner}\n  definition: 'openapi: 3.0.0'\n"
    )


def post_body(client, entity: Entity, text: str):
    return client.post(change_url(entity), {"body_yaml": text})


def changelist_rows(client, params: dict) -> str:
    response = client.get("/admin/catalog/entity/", params)
    assert response.status_code == 200
    return response.content.decode().split('id="result_list"')[1]


def test_entity_changelist_searches_name_title_and_ref(curator, catalog):
    assert "component:default/web" in changelist_rows(curator, {"q": "web shop"})
    assert "component:default/web" not in changelist_rows(curator, {"q": "orders"})
    assert ORDERS_API in changelist_rows(curator, {"q": "api:default/orders"})


def test_entity_changelist_filters_by_kind_owner_lifecycle_and_errors(curator, catalog):
    rows = changelist_rows(curator, {"owner": "group:default/team-b"})
    assert "component:default/orders" in rows and "component:default/web" not in rows
    rows = changelist_rows(curator, {"kind": "API"})
    assert ORDERS_API in rows and "component:default/orders" not in rows
    rows = changelist_rows(curator, {"lifecycle": "experimental"})
    assert "component:default/orders" in rows and ORDERS_API not in rows
    Entity.objects.filter(ref=ORDERS_API).update(processing_errors=[{"message": "InputError: bad"}])
    rows = changelist_rows(curator, {"errors": "yes"})
    assert ORDERS_API in rows and "component:default/web" not in rows


def test_owner_filter_offers_groups_only(curator, catalog):
    page = curator.get("/admin/catalog/entity/").content.decode()
    assert "?owner=group%3Adefault%2Fteam-a" in page


def test_entity_changelist_query_count_does_not_grow(curator, write_file):
    counts = []
    for size in (5, 40):
        location = register_location(
            validate_location_spec("file", str(write_file(f"c{size}.yaml", components(size, f"s{size}")))), trusted=True
        )
        refresh_location(location)
        with CaptureQueriesContext(connection) as queries:
            assert curator.get("/admin/catalog/entity/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_location_changelist_query_count_does_not_grow(curator, write_file):
    counts = []
    for size in (2, 8):
        for index in range(size):
            register_location(
                validate_location_spec("file", str(write_file(f"l{size}-{index}.yaml", "x: 1\n"))), trusted=True
            )
        with CaptureQueriesContext(connection) as queries:
            assert curator.get("/admin/catalog/location/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_change_view_shows_yaml_body_note_and_history(curator, catalog):
    entity = Entity.objects.get(ref=ORDERS_API)
    page = curator.get(change_url(entity)).content.decode()
    assert "name: orders-api" in page and "uid:" not in page.split('name="body_yaml"')[1].split("</textarea>")[0]
    assert "the next change to the source file overwrites it" in page
    assert "<td>created</td>" in page


def test_valid_edit_writes_through_the_refresh_writer(curator, catalog):
    entity = Entity.objects.get(ref=ORDERS_API)
    response = post_body(curator, entity, edited_yaml())
    assert response.status_code == 302
    edited = Entity.objects.get(ref=ORDERS_API)
    assert (edited.pk, edited.generation) == (entity.pk, entity.generation + 1)
    assert edited.etag != entity.etag and edited.body["metadata"]["uid"] == str(entity.pk)
    assert edited.title == "Orders API" and edited.search["metadata.title"] == ["orders api"]
    assert list(
        Relation.objects.filter(source_ref=ORDERS_API, type="ownedBy").values_list("target_ref", flat=True)
    ) == ["group:default/team-c"]
    assert {"type": "ownedBy", "targetRef": "group:default/team-c"} in edited.stitched.relations
    latest = EntityHistory.objects.of_entity(ORDERS_API).order_by("-recorded_at", "-id").first()
    assert latest.change == "updated" and "spec.owner" in latest.changed_fields
    annotations = edited.body["metadata"]["annotations"]
    assert annotations["backstage.io/managed-by-location"] == entity.location_key


def test_unchanged_source_file_keeps_the_edit_until_it_changes(curator, catalog, catalog_file):
    entity = Entity.objects.get(ref=ORDERS_API)
    post_body(curator, entity, edited_yaml())
    refresh_location(Location.objects.get(pk=catalog.pk))
    assert Entity.objects.get(ref=ORDERS_API).title == "Orders API"
    catalog_file.write_text(CATALOG.replace("owner: team-b, definition", "owner: team-d, definition"))
    refresh_location(Location.objects.get(pk=catalog.pk))
    assert Entity.objects.get(ref=ORDERS_API).title == ""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (edited_yaml(owner="''"), "spec.owner"),
        (
            "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata: {name: orders-api}\nspec: {type: openapi}\n",
            "spec.",
        ),
        (edited_yaml().replace("name: orders-api", "name: renamed"), "metadata.name: the entity must stay"),
        ("key: [unclosed\n", "YAML syntax error"),
        ("a: &a [1]\nb: !!python/object:os.system x\n", "not allowed"),
        ("- just\n- a list\n", "Expected object at root"),
        (edited_yaml() + "---\n" + edited_yaml(), "exactly one YAML document"),
    ],
)
def test_invalid_edit_names_the_problem_and_changes_nothing(curator, catalog, text, message):
    entity = Entity.objects.get(ref=ORDERS_API)
    history = EntityHistory.objects.count()
    response = post_body(curator, entity, text)
    assert response.status_code == 200 and message in response.content.decode()
    after = Entity.objects.get(ref=ORDERS_API)
    assert (after.body, after.generation, after.etag) == (entity.body, entity.generation, entity.etag)
    assert EntityHistory.objects.count() == history


def test_entities_cannot_be_added_in_the_admin(curator, catalog):
    assert curator.get("/admin/catalog/entity/add/").status_code == 403


def test_register_location_validates_the_target(curator, queued, db):
    response = curator.post(
        "/admin/catalog/location/add/", {"type": "url", "target": "javascript:alert(1)", "presence": "required"}
    )
    assert response.status_code == 200 and "javascript: targets are not locations" in response.content.decode()
    assert not Location.objects.exists() and queued == []


def test_register_location_refuses_a_duplicate(curator, catalog, catalog_file, queued):
    response = curator.post(
        "/admin/catalog/location/add/", {"type": "file", "target": str(catalog_file), "presence": "required"}
    )
    assert "is already registered" in response.content.decode() and Location.objects.count() == 1


def test_register_location_stores_it_and_queues_a_refresh(curator, queued, write_file):
    target = str(write_file("new.yaml", CATALOG))
    response = curator.post("/admin/catalog/location/add/", {"type": "file", "target": target, "presence": "optional"})
    assert response.status_code == 302
    location = Location.objects.get()
    assert (location.target, location.presence) == (target, "optional") and queued == [location]


def test_refresh_now_action_queues_each_location(curator, catalog, queued):
    curator.post("/admin/catalog/location/", {"action": "refresh_now", "_selected_action": [str(catalog.pk)]})
    assert [location.pk for location in queued] == [catalog.pk]


def test_unregister_previews_the_entities_then_deletes(curator, catalog):
    selection = {"action": "unregister", "_selected_action": [str(catalog.pk)]}
    page = curator.post("/admin/catalog/location/", selection).content.decode()
    assert "component:default/web" in page and ORDERS_API in page and "5 entities" in page
    assert Location.objects.count() == 1 and Entity.objects.count() == 5
    curator.post("/admin/catalog/location/", {**selection, "confirm": "yes"})
    assert not Location.objects.exists() and not Entity.objects.exists()
    assert EntityHistory.objects.filter(change="deleted").count() == 5


def test_location_delete_page_previews_entities(curator, catalog):
    page = curator.get(f"/admin/catalog/location/{catalog.pk}/delete/").content.decode()
    assert "deletes these 5 entities" in page and "component:default/web" in page


def test_delete_orphans_action_confirms_and_deletes_only_orphans(curator, catalog, catalog_file):
    catalog_file.write_text(CATALOG.split("---\napiVersion: backstage.io/v1alpha1\nkind: API")[0])
    refresh_location(Location.objects.get(pk=catalog.pk))
    orphan = Entity.objects.get(ref=ORDERS_API)
    assert orphan.is_orphan
    selection = {
        "action": "delete_selected_orphans",
        "_selected_action": list(Entity.objects.values_list("pk", flat=True)),
    }
    page = curator.post("/admin/catalog/entity/", selection).content.decode()
    assert ORDERS_API in page and "4 selected entities are not orphaned" in page
    assert Entity.objects.filter(ref=ORDERS_API).exists()
    curator.post("/admin/catalog/entity/", {**selection, "confirm": "yes"})
    assert not Entity.objects.filter(ref=ORDERS_API).exists() and Entity.objects.count() == 4


def test_orphan_filter_lists_orphans(curator, catalog, catalog_file):
    catalog_file.write_text(CATALOG.split("---\napiVersion: backstage.io/v1alpha1\nkind: API")[0])
    refresh_location(Location.objects.get(pk=catalog.pk))
    rows = changelist_rows(curator, {"is_orphan__exact": "1"})
    assert ORDERS_API in rows and "component:default/web" not in rows


@pytest.mark.parametrize(
    "url", ["/admin/portal/apitoken/", "/admin/auth/user/", "/admin/auth/group/", "/admin/catalog/entityhistory/"]
)
def test_other_curator_screens_load(curator, catalog, url):
    assert curator.get(url).status_code == 200


def test_readers_cannot_open_the_admin(client, django_user_model, catalog):
    client.force_login(django_user_model.objects.create_user("alice"))
    assert client.get("/admin/catalog/entity/").status_code == 302


def test_edit_is_audited_once_and_an_invalid_edit_not_at_all(curator, catalog):
    from portal.models import AuditEvent

    entity = Entity.objects.get(ref=ORDERS_API)
    AuditEvent.objects.all().delete()
    post_body(curator, entity, "kind: API\nmetadata: {name: orders-api}\n")
    assert not AuditEvent.objects.exists()
    post_body(curator, entity, edited_yaml())
    events = list(AuditEvent.objects.values_list("actor", "channel", "action", "target"))
    assert events == [("admin", "admin", "entity.edit", ORDERS_API)]

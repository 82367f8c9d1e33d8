"""Roles, enforced alike in the API and on the entity page: readers, owners and platform admins."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from catalog.models import Entity, Location
from catalog.permissions import entity_permissions
from catalog.services import register_location, validate_location_spec
from portal.permissions import is_platform_admin

pytestmark = pytest.mark.django_db

BASE = "/api/catalog"
PERSONAS = {"alice": "alice", "pat": "platform_admin", "bob": "bob", "carol": "reader"}
ALL = {"refresh": True, "unregister": True, "delete": True}


@pytest.fixture
def queued(monkeypatch) -> list[str]:
    sent: list[str] = []
    monkeypatch.setattr("catalog.tasks.refresh_location_task.delay", sent.append)
    return sent


def api_as(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def entity(name: str) -> Entity:
    return Entity.objects.get(ref=f"component:default/{name}")


def assert_not_allowed(response) -> None:
    assert response.status_code == 403
    assert response.json()["error"]["name"] == "NotAllowedError"
    assert response.json()["response"] == {"statusCode": 403}


def test_platform_admins_are_superusers_and_the_group(alice, platform_admin, django_user_model, settings):
    assert is_platform_admin(platform_admin)
    assert is_platform_admin(django_user_model.objects.create_superuser("root"))
    assert not is_platform_admin(alice)
    settings.PLATFORM_ADMIN_GROUP = "another-group"
    assert not is_platform_admin(django_user_model.objects.get(username="pat"))


def test_entity_permissions_per_role(org_catalog, alice, bob, reader, platform_admin):
    assert entity_permissions(alice, entity("shop-web")).__dict__ == ALL
    # alice owns reports, but its location also holds team-b's billing.
    assert entity_permissions(alice, entity("reports")).__dict__ == {**ALL, "unregister": False}
    assert not entity_permissions(bob, entity("shop-web")).any
    assert not entity_permissions(reader, entity("shop-web")).any
    assert entity_permissions(platform_admin, entity("billing")).__dict__ == ALL


@pytest.mark.parametrize(("persona", "status"), [("alice", 200), ("pat", 200), ("bob", 403), ("carol", 403)])
def test_api_refresh_needs_owner_or_admin(request, org_catalog, queued, persona, status):
    user = request.getfixturevalue(PERSONAS[persona])
    response = api_as(user).post(f"{BASE}/refresh", {"entityRef": "component:default/shop-web"}, format="json")
    assert response.status_code == status
    if status == 403:
        assert_not_allowed(response)


def test_api_refresh_by_anonymous_is_unauthenticated(org_catalog, queued):
    response = api_as(None).post(f"{BASE}/refresh", {"entityRef": "component:default/shop-web"}, format="json")
    assert response.status_code == 401


@pytest.mark.parametrize(("persona", "status"), [("alice", 204), ("pat", 204), ("bob", 403), ("carol", 403)])
def test_api_delete_entity_needs_owner_or_admin(request, org_catalog, persona, status):
    user = request.getfixturevalue(PERSONAS[persona])
    response = api_as(user).delete(f"{BASE}/entities/by-uid/{entity('shop-web').pk}")
    assert response.status_code == status
    assert Entity.objects.filter(name="shop-web").exists() == (status == 403)


@pytest.mark.parametrize(
    ("persona", "location", "status"),
    [
        ("alice", "shop", 204),  # owns everything there
        ("alice", "shared", 403),  # billing is team-b's
        ("bob", "shop", 403),
        ("carol", "shop", 403),
        ("pat", "shared", 204),
    ],
)
def test_api_delete_location_needs_admin_or_owner_of_all(request, org_catalog, persona, location, status):
    user = request.getfixturevalue(PERSONAS[persona])
    target = org_catalog[location]
    response = api_as(user).delete(f"{BASE}/locations/{target.pk}")
    assert response.status_code == status
    assert Location.objects.filter(pk=target.pk).exists() == (status == 403)
    if status == 403:
        assert_not_allowed(response)


def test_api_update_location_follows_the_same_rule(org_catalog, alice, queued):
    target = org_catalog["shared"]
    body = {"type": "url", "target": "https://x.example/r"}
    response = api_as(alice).put(f"{BASE}/locations/{target.pk}", body, format="json")
    assert_not_allowed(response)
    target.refresh_from_db()
    assert target.type == "file"


def test_config_locations_cannot_be_deleted_even_by_admins(org_catalog, platform_admin):
    spec = validate_location_spec("url", "https://github.com/acme/cfg")
    config = register_location(spec, origin=Location.Origin.CONFIG, trusted=True)
    assert_not_allowed(api_as(platform_admin).delete(f"{BASE}/locations/{config.pk}"))


def test_any_signed_in_person_may_register_a_location(reader, queued):
    body = {"type": "url", "target": "https://github.com/acme/new-service"}
    assert api_as(reader).post(f"{BASE}/locations", body, format="json").status_code == 201
    anonymous = api_as(None).post(f"{BASE}/locations", {**body, "target": body["target"] + "2"}, format="json")
    assert anonymous.status_code == 401
    assert Location.objects.count() == 1

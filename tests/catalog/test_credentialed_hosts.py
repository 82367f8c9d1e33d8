"""Registering on a host whose integration carries a credential: platform admins only, unless configured."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from catalog.models import Location

pytestmark = pytest.mark.django_db
BASE = "/api/catalog"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def alice():
    return get_user_model().objects.create_user("alice", password="alice-password-1")


def body(host) -> dict[str, str]:
    return {"type": "url", "target": host.location_target}


def test_an_ordinary_user_is_refused_with_the_host_named(private_git_host, alice):
    private_git_host.configure_integration()
    netloc = private_git_host.server.netloc

    for query in ("", "?dryRun=true"):
        response = client_for(alice).post(f"{BASE}/locations{query}", body(private_git_host), format="json")
        assert response.status_code == 403
        message = response.json()["error"]["message"]
        assert netloc in message and "integration github[0]" in message
        assert "CATALOG_CREDENTIALED_HOST_REGISTRATION" in message
    assert not Location.objects.exists()
    assert private_git_host.server.seen == []  # nothing was read with the credential


def test_a_platform_admin_may_dry_run_it(private_git_host):
    private_git_host.configure_integration()
    admin = get_user_model().objects.create_superuser("root", password="root-password-1")

    response = client_for(admin).post(f"{BASE}/locations?dryRun=true", body(private_git_host), format="json")

    assert response.status_code == 201, response.content
    assert [entity["metadata"]["name"] for entity in response.json()["entities"]][-1] == "private-service"


def test_signed_in_lets_everyone_register(private_git_host, alice, settings):
    settings.CATALOG_CREDENTIALED_HOST_REGISTRATION = "signed-in"
    private_git_host.configure_integration()

    response = client_for(alice).post(f"{BASE}/locations?dryRun=true", body(private_git_host), format="json")

    assert response.status_code == 201, response.content


def test_members_of_a_listed_group_may_register_and_others_not(private_git_host, alice, settings):
    settings.CATALOG_CREDENTIALED_HOST_REGISTRATION = "platform-friends, team-a"
    private_git_host.configure_integration()
    bob = get_user_model().objects.create_user("bob", password="bob-password-1")
    alice.groups.add(Group.objects.create(name="team-a"))

    allowed = client_for(alice).post(f"{BASE}/locations?dryRun=true", body(private_git_host), format="json")
    refused = client_for(bob).post(f"{BASE}/locations?dryRun=true", body(private_git_host), format="json")

    assert (allowed.status_code, refused.status_code) == (201, 403)


def test_a_host_without_a_credential_is_not_concerned(private_git_host, alice):
    private_git_host.configure_integration(token=None)

    response = client_for(alice).post(f"{BASE}/locations?dryRun=true", body(private_git_host), format="json")

    assert response.status_code != 403


def test_the_register_page_refuses_an_ordinary_user(private_git_host, alice, client):
    private_git_host.configure_integration()
    client.force_login(alice)

    response = client.post("/catalog/register/", {"target": private_git_host.location_target, "action": "preview"})

    assert response.status_code == 403
    assert "only platform admins may register" in response.content.decode()
    assert private_git_host.server.seen == []


def test_re_pointing_a_location_at_the_host_is_refused_and_the_location_kept(
    private_git_host, alice, tmp_path, monkeypatch
):
    from catalog.services import register_location, validate_location_spec

    private_git_host.configure_integration()
    catalog_file = tmp_path / "catalog-info.yaml"
    catalog_file.write_text("")
    location = register_location(validate_location_spec("file", str(catalog_file)), trusted=True)
    # Alice may change this location (as the owner of all it provides); only the host stops her.
    monkeypatch.setattr("catalog.api.locations.can_change_location", lambda user, location: True)

    response = client_for(alice).put(f"{BASE}/locations/{location.pk}", body(private_git_host), format="json")

    assert response.status_code == 403
    assert private_git_host.server.netloc in response.json()["error"]["message"]
    location.refresh_from_db()
    assert (location.type, location.target) == ("file", str(catalog_file))
    assert private_git_host.server.seen == []

"""Targets on the server's disk: only settings or a platform admin may name them, and only under the roots.

Each catalog entry point is tried by an ordinary signed-in user with a local repository holding a
"secret" entity; none may read it, and nothing is stored. Junk targets are refused before storing.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from rest_framework.test import APIClient

from catalog.models import Entity, Location
from catalog.services import (
    LocationError,
    refresh_location,
    register_location,
    sync_config_locations,
    validate_location_spec,
)
from tests.conftest import REPO_ROOT, component

pytestmark = pytest.mark.django_db
BASE = "/api/catalog"
RULE = "local targets come only from settings, app-config or a platform admin"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def plain_api(django_user_model) -> APIClient:
    """An ordinary signed-in user: not staff, not a platform admin."""
    return client_for(django_user_model.objects.create_user("mallory"))


@pytest.fixture
def admin_api(admin_user) -> APIClient:
    return client_for(admin_user)


@pytest.fixture
def secret_repo(git_repo):
    repository = git_repo("secret")
    repository.commit({"catalog-info.yaml": component("secret-service")})
    return repository


def use_roots(settings, *roots: str) -> None:
    from catalog import config

    settings.CATALOG = {**settings.CATALOG, "LOCAL_ROOTS": list(roots)}
    config.catalog_settings.cache_clear()


def assert_refused(response, *fragments: str) -> None:
    assert response.status_code == 400, response.content
    message = response.json()["error"]["message"]
    for fragment in fragments:
        assert fragment in message
    assert "secret-service" not in response.content.decode()
    assert not Location.objects.exists()
    assert not Entity.objects.filter(name="secret-service").exists()


@pytest.mark.parametrize("spelling", ["file://{path}", "{path}", "file://{path}#main:catalog-info.yaml"])
def test_plain_user_cannot_register_a_local_git_repository(plain_api, secret_repo, spelling):
    target = spelling.format(path=secret_repo.path)
    response = plain_api.post(f"{BASE}/locations", {"type": "url", "target": target}, format="json")
    assert_refused(response, RULE)


def test_plain_user_dry_run_of_a_local_repository_shows_nothing(plain_api, secret_repo):
    response = plain_api.post(
        f"{BASE}/locations?dryRun=true", {"type": "url", "target": secret_repo.url}, format="json"
    )
    assert_refused(response, RULE)


def test_plain_user_cannot_register_a_file_location_even_when_the_type_is_allowed(plain_api, write_file, settings):
    settings.API_LOCATION_TYPES = ["url", "file"]
    path = write_file("catalog-info.yaml", component("secret-service"))
    for query in ("", "?dryRun=true"):
        response = plain_api.post(f"{BASE}/locations{query}", {"type": "file", "target": str(path)}, format="json")
        assert_refused(response, RULE)


def test_updating_a_location_checks_its_new_target(admin_api):
    body = {"type": "url", "target": "https://github.com/acme/shop"}
    location_id = admin_api.post(f"{BASE}/locations", body, format="json").json()["location"]["id"]
    response = admin_api.put(f"{BASE}/locations/{location_id}", {"type": "url", "target": "/etc"}, format="json")
    assert response.status_code == 400 and "is not under CATALOG_LOCAL_ROOTS" in response.json()["error"]["message"]
    assert Location.objects.get().target == "https://github.com/acme/shop"


def test_plain_user_cannot_analyze_a_local_repository(plain_api, secret_repo):
    body = {"location": {"type": "url", "target": secret_repo.url}}
    assert_refused(plain_api.post(f"{BASE}/analyze-location", body, format="json"), RULE)


def test_register_page_refuses_a_local_repository_for_a_plain_user(client, django_user_model, secret_repo):
    client.force_login(django_user_model.objects.create_user("mallory"))
    response = client.post("/catalog/register/", {"target": secret_repo.url, "action": "preview"})
    page = response.content.decode()
    assert "local targets come only from settings, app-config or a platform admin" in page
    assert "secret-service" not in page
    assert not Location.objects.exists()


def test_location_entity_in_a_repository_cannot_reach_a_local_repository(git_repo, secret_repo):
    outer = git_repo("outer")
    outer.commit(
        {
            "catalog-info.yaml": (
                "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: more}\n"
                f"spec: {{type: url, targets: ['{secret_repo.path}', '{secret_repo.url}#main']}}\n"
            )
        }
    )
    location = Location.objects.create(type="url", target=outer.url)  # as an admin registered it
    refresh_location(location)
    location.refresh_from_db()
    assert not Entity.objects.filter(name="secret-service").exists()
    messages = [error["message"] for error in location.errors]
    assert len(messages) == 2 and all(RULE in message for message in messages)


def test_platform_admin_may_register_a_local_repository_under_the_roots(admin_api, secret_repo):
    response = admin_api.post(
        f"{BASE}/locations?dryRun=true", {"type": "url", "target": secret_repo.url}, format="json"
    )
    assert response.status_code == 201
    assert "secret-service" in [entity["metadata"]["name"] for entity in response.json()["entities"]]


def test_platform_admin_may_not_leave_the_roots(admin_api, settings, tmp_path):
    use_roots(settings, str(tmp_path))
    settings.API_LOCATION_TYPES = ["url", "file"]
    response = admin_api.post(f"{BASE}/locations", {"type": "file", "target": "/etc/passwd"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["message"].endswith(f"/etc/passwd is not under CATALOG_LOCAL_ROOTS ({tmp_path})")
    assert not Location.objects.exists()


def test_symbolic_links_are_resolved_before_the_root_check(admin_api, settings, tmp_path):
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    (outside / "catalog-info.yaml").write_text(component("secret-service"))
    (tmp_path / "inside").symlink_to(outside)
    settings.API_LOCATION_TYPES = ["url", "file"]
    target = str(tmp_path / "inside" / "catalog-info.yaml")
    response = admin_api.post(f"{BASE}/locations", {"type": "file", "target": target}, format="json")
    assert response.status_code == 400
    assert f"(resolved to {outside}/catalog-info.yaml) is not under CATALOG_LOCAL_ROOTS" in response.content.decode()
    assert not Location.objects.exists()


def test_a_stored_local_location_outside_the_roots_is_not_read(write_file, settings, tmp_path):
    # Stored before the rule, or by an admin before the roots changed.
    location = Location.objects.create(type="file", target=str(write_file("c.yaml", component("secret-service"))))
    use_roots(settings, str(tmp_path / "elsewhere"))
    refresh_location(location)
    location.refresh_from_db()
    assert not Entity.objects.filter(name="secret-service").exists()
    assert "is not under CATALOG_LOCAL_ROOTS" in location.errors[0]["message"]


@pytest.mark.parametrize(
    ("target", "rule"),
    [
        ("ext::sh -c touch% /tmp/pwned", "git remote helpers ('<transport>::') are not allowed"),
        ("--upload-pack=touch /tmp/pwned", "git remote may not start with '-'"),
        ("gopher://example.com/repo.git", "unsupported git remote scheme 'gopher'"),
        ("https://127.0.0.1/org/repo.git", "resolves to non-public address 127.0.0.1"),
        ("https://[::1]/org/repo.git", "resolves to non-public address ::1"),
        ("https://example.com/" + "a" * 10_000, "the limit is 2048"),
    ],
)
def test_junk_targets_are_refused_before_they_are_stored(plain_api, target, rule):
    response = plain_api.post(f"{BASE}/locations", {"type": "url", "target": target}, format="json")
    assert response.status_code == 400
    assert rule in response.json()["error"]["message"]
    assert not Location.objects.exists()


def test_service_refuses_a_local_target_from_an_untrusted_caller(secret_repo):
    with pytest.raises(LocationError, match=RULE):
        register_location(validate_location_spec("url", secret_repo.url))
    assert not Location.objects.exists()


def test_local_git_is_off_by_default(tmp_path):
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("CATALOG_", "DJANGO_"))}
    environment["GREENROOM_DATA_DIR"] = str(tmp_path)
    script = "import portal.settings as s; print(s.CATALOG['ALLOW_LOCAL_GIT'], s.CATALOG['LOCAL_ROOTS'])"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO_ROOT, env=environment, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False []"


def test_a_static_location_outside_the_roots_is_skipped_and_the_others_synced(settings, write_file, tmp_path, caplog):
    inside = write_file("c.yaml", component("web"))
    settings.CATALOG = {
        **settings.CATALOG,
        "LOCATIONS": [{"type": "file", "target": "/etc/passwd"}, {"type": "file", "target": str(inside)}],
    }
    use_roots(settings, str(tmp_path))
    assert [location.target for location in sync_config_locations()] == [str(inside)]
    assert "catalog location file:/etc/passwd from settings is skipped" in caplog.text
    assert "is not under CATALOG_LOCAL_ROOTS" in caplog.text

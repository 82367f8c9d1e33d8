"""Backstage's location and action endpoints, and the OpenAPI schema."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from catalog.models import Entity, Location
from catalog.services import refresh_location, register_location, validate_location_spec
from portal.celery import app
from tests.conftest import component

pytestmark = pytest.mark.django_db
BASE = "/api/catalog"


@pytest.fixture
def eager():
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def repo(git_repo):
    repository = git_repo()
    repository.commit({"catalog-info.yaml": component("web")})
    return repository


def test_register_a_git_location_and_read_it(admin_api, repo, eager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_api.post(f"{BASE}/locations", {"type": "url", "target": repo.url}, format="json")
    assert response.status_code == 201
    body = response.json()
    location = Location.objects.get()
    assert body == {
        "location": {"id": str(location.pk), "type": "url", "target": repo.url, "entityRef": location.entity_ref},
        "entities": [],
    }
    assert Entity.objects.filter(ref="component:default/web").exists()
    assert admin_api.get(f"{BASE}/locations").json() == [{"data": body["location"]}]
    assert admin_api.get(f"{BASE}/locations/{location.pk}").json() == body["location"]
    assert admin_api.get(f"{BASE}/locations/by-entity/component/default/web").json() == body["location"]


def test_dry_run_returns_entities_and_stores_nothing(admin_api, repo):
    response = admin_api.post(f"{BASE}/locations?dryRun=true", {"type": "url", "target": repo.url}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["exists"] is False and body["location"]["id"] == f"url:{repo.url}"
    assert {entity["metadata"]["name"] for entity in body["entities"]} >= {"web"}
    assert not Location.objects.exists() and not Entity.objects.exists()


def test_dry_run_with_errors_is_400(admin_api, git_repo):
    repository = git_repo()
    repository.commit({"catalog-info.yaml": component("bad name")})
    response = admin_api.post(f"{BASE}/locations?dryRun=true", {"type": "url", "target": repository.url}, format="json")
    assert response.status_code == 400 and "metadata.name" in response.json()["error"]["message"]


def test_registering_twice_is_409_unless_refresh_is_asked(admin_api, repo):
    admin_api.post(f"{BASE}/locations", {"type": "url", "target": repo.url}, format="json")
    conflict = admin_api.post(f"{BASE}/locations", {"type": "url", "target": repo.url}, format="json")
    assert conflict.status_code == 409
    assert conflict.json()["error"] == {"name": "ConflictError", "message": f"Location url:{repo.url} already exists"}
    again = admin_api.post(f"{BASE}/locations?onConflict=refresh", {"type": "url", "target": repo.url}, format="json")
    assert again.status_code == 201 and again.json()["exists"] is True
    assert Location.objects.count() == 1


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"type": "file", "target": "/etc/catalog.yaml"}, 'must be of an allowed type ["url"]'),
        ({"type": "url"}, "must be strings"),
        ({"type": "url", "target": "https://x/y.git", "extra": 1}, "unknown location field(s): extra"),
        ({"type": "url", "target": "javascript:alert(1)"}, "javascript"),
        ([], "JSON object"),
    ],
)
def test_bad_location_bodies_are_400_and_store_nothing(api, payload, message):
    response = api.post(f"{BASE}/locations", payload, format="json")
    assert response.status_code == 400 and message in response.json()["error"]["message"]
    assert not Location.objects.exists()


def test_delete_location_removes_its_entities(admin_api, repo, eager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        location_id = admin_api.post(f"{BASE}/locations", {"type": "url", "target": repo.url}, format="json").json()[
            "location"
        ]["id"]
    assert admin_api.delete(f"{BASE}/locations/{location_id}").status_code == 204
    assert not Entity.objects.exists() and not Location.objects.exists()
    assert admin_api.delete(f"{BASE}/locations/{location_id}").status_code == 404


def test_unknown_and_malformed_location_ids_are_404(api):
    assert api.get(f"{BASE}/locations/6f1e4bd4-0000-4000-8000-000000000000").status_code == 404
    response = api.get(f"{BASE}/locations/not-a-uuid")
    assert response.status_code == 404 and response.json()["error"]["message"] == "Found no location with ID not-a-uuid"


def test_configured_locations_cannot_be_deleted_over_the_api(api, write_file):
    location = register_location(
        validate_location_spec("file", str(write_file("c.yaml", component("web")))),
        origin=Location.Origin.CONFIG,
        trusted=True,
    )
    response = api.delete(f"{BASE}/locations/{location.pk}")
    assert response.status_code == 403 and Location.objects.filter(pk=location.pk).exists()


def test_locations_by_query_pages_with_a_predicate(admin_api, git_repo):
    urls = []
    for index in range(3):
        repository = git_repo(f"repo-{index}")
        urls.append(repository.url)
        admin_api.post(f"{BASE}/locations", {"type": "url", "target": repository.url}, format="json")
    first = admin_api.post(f"{BASE}/locations/by-query", {"query": {"type": "url"}, "limit": 2}, format="json").json()
    assert first["totalItems"] == 3 and len(first["items"]) == 2
    rest = admin_api.post(
        f"{BASE}/locations/by-query", {"cursor": first["pageInfo"]["nextCursor"]}, format="json"
    ).json()
    assert {item["target"] for item in first["items"] + rest["items"]} == set(urls)
    prefixed = admin_api.post(
        f"{BASE}/locations/by-query", {"query": {"target": {"$hasPrefix": urls[1]}}}, format="json"
    ).json()
    assert [item["target"] for item in prefixed["items"]] == [urls[1]]
    bad = admin_api.post(f"{BASE}/locations/by-query", {"query": {"owner": "x"}}, format="json")
    assert bad.status_code == 400


def test_refresh_schedules_the_entitys_location(admin_api, write_file, django_capture_on_commit_callbacks, monkeypatch):
    api = admin_api
    location = register_location(
        validate_location_spec("file", str(write_file("c.yaml", component("web")))), trusted=True
    )
    refresh_location(location)
    queued = []
    monkeypatch.setattr("catalog.tasks.refresh_location_task.delay", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"{BASE}/refresh", {"entityRef": "Component:default/web"}, format="json")
    assert response.status_code == 200 and queued == [str(location.pk)]
    missing = api.post(f"{BASE}/refresh", {"entityRef": "component:default/none"}, format="json")
    assert missing.status_code == 404 and missing.json()["error"]["name"] == "NotFoundError"
    assert api.post(f"{BASE}/refresh", {"entityRef": ":x"}, format="json").status_code == 400


def test_validate_entity(api):
    entity = {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Component",
        "metadata": {"name": "web"},
        "spec": {"type": "service", "lifecycle": "production", "owner": "team-a"},
    }
    ok = api.post(
        f"{BASE}/validate-entity", {"entity": entity, "location": "url:https://git.example.com/x"}, format="json"
    )
    assert ok.status_code == 200
    bad_location = api.post(f"{BASE}/validate-entity", {"entity": entity, "location": "file:/x"}, format="json")
    assert bad_location.status_code == 400 and "url:" in bad_location.json()["errors"][0]["message"]
    broken = {**entity, "spec": {"type": "service", "lifecycle": "production", "owner": "a", "dependsOn": ["db"]}}
    response = api.post(f"{BASE}/validate-entity", {"entity": broken, "location": "url:https://x/y"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"].startswith("spec.dependsOn[0]")
    bad_name = {**entity, "metadata": {"name": "x y"}}
    named = api.post(f"{BASE}/validate-entity", {"entity": bad_name, "location": "url:https://x/y"}, format="json")
    message = named.json()["errors"][0]["message"]
    assert message.startswith("metadata.name 'x y' is not valid") and message.count("metadata.name") == 1


def test_analyze_location_lists_existing_files(admin_api, repo):
    response = admin_api.post(
        f"{BASE}/analyze-location", {"location": {"type": "url", "target": repo.url}}, format="json"
    )
    body = response.json()
    assert response.status_code == 200 and body["generateEntities"] == []
    assert body["existingEntityFiles"][0]["entity"]["metadata"]["name"] == "web"
    assert body["existingEntityFiles"][0]["isRegistered"] is False


def test_analyze_location_suggests_a_component_when_the_file_is_missing(admin_api, git_repo):
    repository = git_repo("shop-service")
    repository.commit({"README.md": "# shop\n"})
    body = admin_api.post(
        f"{BASE}/analyze-location", {"location": {"type": "url", "target": repository.url}}, format="json"
    ).json()
    assert body["generateEntities"][0]["entity"]["metadata"]["name"] == "shop-service"
    assert body["generateEntities"][0]["fields"][0]["field"] == "spec.owner"


def test_analyze_location_of_an_unreachable_repository_is_400(admin_api, tmp_path):
    response = admin_api.post(
        f"{BASE}/analyze-location", {"location": {"type": "url", "target": f"file://{tmp_path}/nowhere"}}, format="json"
    )
    assert response.status_code == 400 and "cannot analyze" in response.json()["error"]["message"]


def test_writes_need_credentials(repo):
    anonymous = APIClient()
    response = anonymous.post(f"{BASE}/locations", {"type": "url", "target": repo.url}, format="json")
    assert response.status_code == 401 and response.json()["error"]["name"] == "AuthenticationError"
    assert not Location.objects.exists()


def test_reads_follow_the_anonymous_read_switch(settings, catalog):
    anonymous = APIClient()
    assert anonymous.get(f"{BASE}/entities").status_code == 401
    settings.API_ANONYMOUS_READ = True
    assert anonymous.get(f"{BASE}/entities").status_code == 200


def test_openapi_schema_documents_the_api():
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/json")
    schema = response.json()
    assert response.status_code == 200 and schema["openapi"].startswith("3.")
    for path in (
        "/api/catalog/entities",
        "/api/catalog/entities/by-query",
        "/api/catalog/entity-facets",
        "/api/catalog/locations",
        "/api/catalog/owners/{kind}/{namespace}/{name}",
        "/api/catalog/webhooks/git",
    ):
        assert path in schema["paths"], path

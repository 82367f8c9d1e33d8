"""GitLab discovery end to end: a recorded-replay GitLab API lists the group in three pages, and every
discovered project is cloned from a real HTTPS git server (``tests/gitserver.py``) with the token.

The replay (``tests/catalog/providers/replay.py``) answers ``GET /groups/acme/projects`` with project
objects in GitLab's API v4 shape written here, paged with GitLab's ``Link`` and ``X-Next-Page``
headers, and the descriptor checks (``HEAD /projects/:id/repository/files/catalog-info.yaml``). Their
``web_url`` names repositories the git server really holds, which takes ``oauth2:TOKEN`` only, as
GitLab does. One ``integrations.gitlab`` entry serves both: ``host`` the git server, ``apiBaseUrl``
the replay.
"""

from __future__ import annotations

import base64
import json
import logging
from typing import Any

import pytest

from catalog import config
from catalog.models import Entity, ProviderState
from catalog.services.providers import due_providers
from catalog.tasks import run_due_providers_task
from tests.catalog.providers.replay import GITLAB_TOKEN, serve
from tests.gitserver import reach
from tests.leaks import database_text

from .discovery_support import cloned, component, refresh_provider, write_config
from .webhook_payloads import SECRET, signed_headers

PROVIDER = "gitlab:acme"
LISTING = "GET /groups/acme/projects?include_subgroups=true&per_page=100"


REPOSITORIES = {
    "shop-api": {"catalog-info.yaml": component("shop-api")},
    "bikes-web": {"catalog-info.yaml": component("bikes-web")},
    "old-portal": {"catalog-info.yaml": component("old-portal")},  # archived in the listing
    "scratch": {"README.md": "# Scratch\n"},  # no descriptor: GitLab answers 404 to the file check
    "billing": {"catalog-info.yaml": component("billing")},
}
PAGES = (("shop-api", "bikes-web"), ("old-portal", "scratch"), ("billing",))


class GitLab:
    def __init__(self, server, replay, monkeypatch, capture, config_file) -> None:
        self.server, self.replay, self.capture, self.config_file = server, replay, capture, config_file
        self.repositories = dict(REPOSITORIES)
        monkeypatch.setenv("GITLAB_DISCOVERY_TOKEN", GITLAB_TOKEN)

    def project(self, number: int, name: str) -> dict[str, Any]:
        """A project as GitLab's API v4 lists it (``GET /groups/:id/projects``), on the git server."""
        web = self.server.url(f"acme/{name}")
        return {
            "id": 5000 + number,
            "name": name,
            "path": name,
            "path_with_namespace": f"acme/{name}",
            "namespace": {"id": 10, "name": "acme", "path": "acme", "kind": "group", "full_path": "acme"},
            "default_branch": "main",
            "web_url": web,
            "http_url_to_repo": f"{web}.git",
            "archived": name == "old-portal",
            "visibility": "private",
            "topics": [],
        }

    def list(self, pages: tuple[tuple[str, ...], ...]) -> None:
        """Make the replay list ``pages`` of projects, paged as GitLab pages them."""
        numbers = {name: number for number, name in enumerate(self.repositories)}
        routes: dict[str, dict[str, Any]] = {}
        bodies: dict[str, Any] = {}
        page_url = "{base}/groups/acme/projects?include_subgroups=true&per_page=100&page=%d"
        for page, names in enumerate(pages, start=1):
            headers = {"X-Page": str(page), "X-Per-Page": "100", "X-Total-Pages": str(len(pages))}
            if page < len(pages):
                headers |= {"X-Next-Page": str(page + 1), "Link": f'<{page_url % (page + 1)}>; rel="next"'}
            key = LISTING if page == 1 else f"GET /groups/acme/projects?include_subgroups=true&page={page}&per_page=100"
            routes[key] = {"status": 200, "headers": headers, "body": f"page-{page}.json"}
            bodies[f"page-{page}.json"] = [self.project(numbers[name], name) for name in names]
            for name in names:
                has_file = "catalog-info.yaml" in self.repositories[name]
                check = f"HEAD /projects/{5000 + numbers[name]}/repository/files/catalog-info.yaml?ref=main"
                routes[check] = {"status": 200 if has_file else 404, "headers": {}, "body": "file.json"}
        bodies["file.json"] = {"message": "ok"}
        self.replay.routes, self.replay.bodies = routes, bodies

    def configure(self) -> None:
        netloc = self.server.netloc
        entry = {"host": netloc, "group": "acme", "schedule": {"frequency": {"minutes": 30}, "timeout": {"minutes": 2}}}
        integration = {"host": netloc, "token": "${GITLAB_DISCOVERY_TOKEN}", "apiBaseUrl": self.replay.base}
        write_config(self.config_file, "gitlab", integration, entry, "keep")

    def refresh(self) -> str:
        return refresh_provider(self.capture, PROVIDER)

    def cloned(self) -> set[str]:
        return cloned(self.server)


@pytest.fixture
def gitlab_replay_unrecorded(settings):
    yield from serve("gitlab", settings, recorded=False)


@pytest.fixture
def gitlab(
    git_https_server,
    gitlab_replay_unrecorded,
    settings,
    tmp_path,
    monkeypatch,
    eager,
    django_capture_on_commit_callbacks,
):
    server = git_https_server(basic={("oauth2", GITLAB_TOKEN)})
    for name, files in REPOSITORIES.items():
        server.create_repo(f"acme/{name}", files)
    reach(settings, server)
    config_file = tmp_path / "app-config.yaml"
    settings.GREENROOM_CONFIG_FILE = str(config_file)
    found = GitLab(server, gitlab_replay_unrecorded, monkeypatch, django_capture_on_commit_callbacks, config_file)
    found.list(PAGES)
    found.configure()
    return found


def components() -> dict[str, Entity]:
    return {entity.name: entity for entity in Entity.objects.filter(kind="Component")}


@pytest.mark.django_db(transaction=True)
def test_discovers_three_pages_and_clones_every_project_with_the_token_recorded_replay(gitlab, caplog):
    caplog.set_level(logging.DEBUG)
    printed = gitlab.refresh()

    assert printed.startswith(f"{PROVIDER}: 3 added, 0 changed, 0 removed, 3 entities in "), printed
    listing = [key for key in gitlab.replay.asked if key.startswith("GET /groups/acme/projects")]
    assert len(listing) == 3  # followed the Link / X-Next-Page headers to the last page
    # The archived project is never checked; the one without a descriptor is checked and left out.
    assert not any("/5002/" in key for key in gitlab.replay.asked)
    assert any("/5003/" in key for key in gitlab.replay.asked)
    assert gitlab.cloned() == {"shop-api", "bikes-web", "billing"}
    expected = "Basic " + base64.b64encode(f"oauth2:{GITLAB_TOKEN}".encode()).decode()
    assert set(gitlab.server.authorizations()) == {expected}
    found = components()
    assert sorted(found) == ["bikes-web", "billing", "shop-api"]
    target = gitlab.server.url("acme/shop-api/-/blob/main/catalog-info.yaml")
    assert found["shop-api"].body["metadata"]["annotations"]["backstage.io/managed-by-location"] == f"url:{target}"
    state = ProviderState.objects.get(provider_id=PROVIDER)
    assert state.last_error == ""
    for text in (caplog.text, database_text(), json.dumps(printed)):
        assert GITLAB_TOKEN not in text and expected.removeprefix("Basic ") not in text


@pytest.mark.django_db
def test_a_project_gone_from_the_listing_is_orphaned_on_the_next_run_recorded_replay(gitlab):
    gitlab.refresh()
    gitlab.list((("shop-api", "old-portal"), ("scratch",), ("billing",)))

    printed = gitlab.refresh()

    assert printed.startswith(f"{PROVIDER}: 0 added, 0 changed, 1 removed, 2 entities in "), printed
    found = components()
    assert found["bikes-web"].is_orphan
    assert not found["shop-api"].is_orphan and not found["billing"].is_orphan


def project_create(path: str) -> bytes:
    """A GitLab system hook ``project_create`` payload (GitLab's documented shape)."""
    payload = {
        "event_name": "project_create",
        "created_at": "2026-12-07T10:00:00Z",
        "updated_at": "2026-12-07T10:00:00Z",
        "name": path.rsplit("/", 1)[1],
        "path": path.rsplit("/", 1)[1],
        "path_with_namespace": path,
        "project_id": 5099,
        "owner_name": "Alice",
        "owner_email": "alice@example.com",
        "owners": [{"name": "Alice", "email": "alice@example.com"}],
        "project_visibility": "private",
    }
    return json.dumps(payload).encode()


def post_system_hook(client, body: bytes, secret: str = SECRET):
    headers = signed_headers("gitlab", body, event="System Hook", secret=secret)
    return client.post("/api/catalog/webhooks/git", data=body, content_type="application/json", headers=headers)


@pytest.mark.urls("tests.catalog.webhook_urls")
@pytest.mark.django_db
def test_a_project_create_system_hook_registers_it_within_one_tick_recorded_replay(gitlab, client, settings):
    settings.CATALOG_WEBHOOK_SECRET = SECRET
    gitlab.refresh()
    gitlab.repositories["new-service"] = {"catalog-info.yaml": component("new-service")}
    gitlab.server.create_repo("acme/new-service", gitlab.repositories["new-service"])
    gitlab.list((*PAGES, ("new-service",)))
    assert due_providers(config.configured_providers().providers) == []
    body = project_create("acme/new-service")

    wrong = post_system_hook(client, body, secret="not-the-secret")
    response = post_system_hook(client, body)

    assert wrong.status_code == 401
    assert response.status_code == 202, response.content
    assert response.json() == {"providers": [PROVIDER], "repository": "acme/new-service", "action": "created"}
    with gitlab.capture(execute=True):
        assert run_due_providers_task() == 1
    assert "new-service" in components()
    assert "new-service" in gitlab.cloned()


@pytest.mark.urls("tests.catalog.webhook_urls")
@pytest.mark.django_db
def test_a_system_hook_for_another_group_makes_nothing_due(gitlab, client, settings):
    settings.CATALOG_WEBHOOK_SECRET = SECRET
    body = project_create("elsewhere/new-service")

    response = post_system_hook(client, body)

    assert response.status_code == 200
    assert response.json()["providers"] == []


@pytest.mark.urls("tests.catalog.webhook_urls")
@pytest.mark.django_db
def test_a_system_hook_without_a_project_path_is_refused(client, settings):
    settings.CATALOG_WEBHOOK_SECRET = SECRET
    body = json.dumps({"event_name": "project_create", "name": "x"}).encode()

    response = post_system_hook(client, body)

    assert response.status_code == 400
    assert "path_with_namespace" in json.dumps(response.json())

"""GitLab discovery end to end: a recorded-replay GitLab API lists a group of 300 projects in three pages
of 100, and every discovered project is cloned from a real HTTPS git server (``tests/gitserver.py``).

The replay (``tests/catalog/providers/replay.py``) answers ``GET /groups/acme/projects`` with project
objects in GitLab's API v4 shape written here, paged as GitLab pages them (``Link`` with ``prev``,
``next``, ``first`` and ``last``; ``X-Page``, ``X-Next-Page``, ``X-Prev-Page``, ``X-Total``,
``X-Total-Pages``, ``X-Per-Page``), and the descriptor checks (``HEAD
/projects/:id/repository/files/catalog-info.yaml``, 404 where the file is missing). Their ``web_url``
names repositories the git server really holds, which takes ``oauth2:TOKEN`` only, as GitLab does.
One ``integrations.gitlab`` entry serves both: ``host`` the git server, ``apiBaseUrl`` the replay.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Sequence
from typing import Any

import pytest

from catalog import config
from catalog.models import Entity, Location, ProviderState
from catalog.services.providers import due_providers
from catalog.tasks import run_due_providers_task
from tests.catalog.providers.replay import GITLAB_TOKEN, serve
from tests.leaks import database_text

from .discovery_support import cloned, component, organisation, refresh_provider, start_git_host, write_config
from .webhook_payloads import SECRET, signed_headers

PROVIDER = "gitlab:acme"
LISTING = "/groups/acme/projects"
PER_PAGE = 100
ARCHIVED = "old-portal"  # archived in the listing: never checked, never cloned
WITHOUT_DESCRIPTOR = "scratch"  # GitLab answers 404 to its file check: no Location, no error
NAMED = {
    "shop-api": {"catalog-info.yaml": component("shop-api")},
    "bikes-web": {"catalog-info.yaml": component("bikes-web")},
    ARCHIVED: {"catalog-info.yaml": component(ARCHIVED)},
    WITHOUT_DESCRIPTOR: {"README.md": "# Scratch\n"},
}
REPOSITORIES = organisation(300, NAMED)
DISCOVERED = sorted(set(REPOSITORIES) - {ARCHIVED, WITHOUT_DESCRIPTOR})
# Removal and creation are read the same way at any size: those tests list one page of six projects
# (ingesting 300 projects costs a few minutes of the suite each time; paging is the first test's).
SMALL = organisation(6, NAMED)


def page_key(page: int) -> str:
    """The replay key of one page, as the provider asks for it (the first page without ``page``)."""
    query = "include_subgroups=true" + (f"&page={page}" if page > 1 else "") + "&per_page=100"
    return f"GET {LISTING}?{query}"


def page_headers(page: int, pages: int, total: int) -> dict[str, str]:
    """GitLab's offset pagination headers for ``page`` of ``pages`` (its REST API docs, "Pagination")."""

    def href(number: int) -> str:
        return f"<{{base}}{LISTING}?include_subgroups=true&page={number}&per_page=100>"

    links = [f'{href(page - 1)}; rel="prev"'] if page > 1 else []
    links += [f'{href(page + 1)}; rel="next"'] if page < pages else []
    links += [f'{href(1)}; rel="first"', f'{href(pages)}; rel="last"']
    return {
        "Link": ", ".join(links),
        "X-Next-Page": str(page + 1) if page < pages else "",
        "X-Page": str(page),
        "X-Per-Page": "100",
        "X-Prev-Page": str(page - 1) if page > 1 else "",
        "X-Total": str(total),
        "X-Total-Pages": str(pages),
    }


class GitLab:
    def __init__(self, server, replay, monkeypatch, capture, config_file, repositories) -> None:
        self.server, self.replay, self.capture, self.config_file = server, replay, capture, config_file
        self.repositories = dict(repositories)
        monkeypatch.setenv("GITLAB_DISCOVERY_TOKEN", GITLAB_TOKEN)

    def project_id(self, name: str) -> int:
        return 5000 + list(self.repositories).index(name)

    def project(self, name: str) -> dict[str, Any]:
        """A project as GitLab's API v4 lists it (``GET /groups/:id/projects``), on the git server."""
        web = self.server.url(f"acme/{name}")
        return {
            "id": self.project_id(name),
            "name": name,
            "path": name,
            "path_with_namespace": f"acme/{name}",
            "namespace": {"id": 10, "name": "acme", "path": "acme", "kind": "group", "full_path": "acme"},
            "default_branch": "main",
            "web_url": web,
            "http_url_to_repo": f"{web}.git",
            "archived": name == ARCHIVED,
            "visibility": "private",
            "topics": [],
        }

    def list(self, names: Sequence[str]) -> None:
        """Make the replay list ``names`` in pages of 100, paged as GitLab pages them."""
        pages = [names[start : start + PER_PAGE] for start in range(0, len(names), PER_PAGE)]
        routes: dict[str, dict[str, Any]] = {}
        bodies: dict[str, Any] = {"found.json": None, "missing.json": {"message": "404 File Not Found"}}
        for page, chunk in enumerate(pages, start=1):
            answer = {"status": 200, "headers": page_headers(page, len(pages), len(names)), "body": f"page-{page}.json"}
            routes[page_key(page)] = answer
            bodies[f"page-{page}.json"] = [self.project(name) for name in chunk]
            for name in chunk:
                found = "catalog-info.yaml" in self.repositories[name]
                check = f"HEAD /projects/{self.project_id(name)}/repository/files/catalog-info.yaml?ref=main"
                routes[check] = {
                    "status": 200 if found else 404,
                    "headers": {},
                    "body": f"{'found' if found else 'missing'}.json",
                }
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

    def listed(self) -> list[str]:
        """The listing requests the provider made, in order."""
        return [key for key in self.replay.asked if key.startswith(f"GET {LISTING}")]


@pytest.fixture
def gitlab_replay_unrecorded(settings):
    yield from serve("gitlab", settings, recorded=False)


@pytest.fixture
def forge(
    git_https_server,
    gitlab_replay_unrecorded,
    settings,
    tmp_path,
    monkeypatch,
    eager,
    django_capture_on_commit_callbacks,
):
    """A GitLab (the replay) and its git server holding ``repositories``, listed, the provider configured."""

    def start(repositories: dict[str, dict[str, str]]) -> GitLab:
        login = ("oauth2", GITLAB_TOKEN)
        server, config_file = start_git_host(git_https_server, settings, tmp_path, login, repositories)
        capture = django_capture_on_commit_callbacks
        found = GitLab(server, gitlab_replay_unrecorded, monkeypatch, capture, config_file, repositories)
        found.list(list(repositories))
        found.configure()
        return found

    return start


@pytest.fixture
def gitlab(forge):
    """Three pages of 100 projects."""
    return forge(REPOSITORIES)


@pytest.fixture
def small_gitlab(forge):
    """One page of six projects, the archived one and the one without a descriptor among them."""
    return forge(SMALL)


def components() -> dict[str, Entity]:
    return {entity.name: entity for entity in Entity.objects.filter(kind="Component")}


@pytest.mark.django_db(transaction=True)
def test_discovers_three_pages_of_100_and_clones_every_project_with_the_token_recorded_replay(gitlab, caplog):
    caplog.set_level(logging.DEBUG)
    printed = gitlab.refresh()

    assert printed.startswith(f"{PROVIDER}: 298 added, 0 changed, 0 removed, 298 entities in "), printed
    assert gitlab.listed() == [page_key(1), page_key(2), page_key(3)]  # followed Link rel="next" to the end
    checks = [key for key in gitlab.replay.asked if key.startswith("HEAD ")]
    # Every project but the archived one is checked, once; the one without a descriptor is left out.
    assert len(checks) == len(set(checks)) == 299
    assert not any(f"/{gitlab.project_id(ARCHIVED)}/" in key for key in checks)
    assert any(f"/{gitlab.project_id(WITHOUT_DESCRIPTOR)}/" in key for key in checks)
    assert sorted(gitlab.cloned()) == DISCOVERED
    expected = "Basic " + base64.b64encode(f"oauth2:{GITLAB_TOKEN}".encode()).decode()
    assert set(gitlab.server.authorizations()) == {expected}
    found = components()
    assert sorted(found) == DISCOVERED
    target = gitlab.server.url("acme/shop-api/-/blob/main/catalog-info.yaml")
    assert found["shop-api"].body["metadata"]["annotations"]["backstage.io/managed-by-location"] == f"url:{target}"
    # The project without a descriptor leaves no trace: no Location, no error, as in Backstage; the
    # provider's Location holds the run's note only.
    state = ProviderState.objects.get(provider_id=PROVIDER)
    assert state.last_error == ""
    assert [error["message"] for error in state.location.errors] == [
        f"read 300 projects of acme on {gitlab.server.netloc}, 298 with catalog-info.yaml, in 302 requests"
    ]
    assert not Location.objects.filter(target__contains=f"/acme/{WITHOUT_DESCRIPTOR}/").exists()
    assert Location.objects.filter(origin=Location.Origin.PROVIDER).exclude(pk=state.location_id).count() == 298
    assert not Location.objects.exclude(errors=[]).exclude(pk=state.location_id).exists()
    assert set(Location.objects.values_list("status", flat=True)) == {Location.Status.OK}  # notes are warnings
    for text in (caplog.text, database_text(), json.dumps(printed)):
        assert GITLAB_TOKEN not in text and expected.removeprefix("Basic ") not in text


@pytest.mark.django_db
def test_a_project_gone_from_the_listing_is_orphaned_on_the_next_run_recorded_replay(small_gitlab):
    gitlab = small_gitlab
    gitlab.refresh()
    gitlab.list([name for name in SMALL if name != "bikes-web"])

    printed = gitlab.refresh()

    assert printed.startswith(f"{PROVIDER}: 0 added, 0 changed, 1 removed, 3 entities in "), printed
    found = components()
    assert found["bikes-web"].is_orphan
    assert sorted(name for name, entity in found.items() if entity.is_orphan) == ["bikes-web"]


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
def test_a_project_create_system_hook_registers_it_within_one_tick_recorded_replay(small_gitlab, client, settings):
    gitlab = small_gitlab
    settings.CATALOG_WEBHOOK_SECRET = SECRET
    gitlab.refresh()
    gitlab.repositories["new-service"] = {"catalog-info.yaml": component("new-service")}
    gitlab.server.create_repo("acme/new-service", gitlab.repositories["new-service"])
    gitlab.list(list(gitlab.repositories))
    assert due_providers(config.configured_providers().providers) == []
    body = project_create("acme/new-service")

    wrong = post_system_hook(client, body, secret="not-the-secret")
    response = post_system_hook(client, body)

    assert wrong.status_code == 401
    assert response.status_code == 202, response.content
    assert response.json() == {"providers": [PROVIDER], "repository": "acme/new-service", "action": "created"}
    cloned_before = gitlab.cloned()
    with gitlab.capture(execute=True):
        assert run_due_providers_task() == 1
    assert "new-service" in components()
    assert gitlab.cloned() - cloned_before == {"new-service"}  # the tick reads the new project only
    assert gitlab.listed()[-1:] == [page_key(1)]  # the tick listed the group again
    assert due_providers(config.configured_providers().providers) == []


@pytest.mark.urls("tests.catalog.webhook_urls")
@pytest.mark.django_db
def test_a_system_hook_for_another_group_makes_nothing_due(small_gitlab, client, settings):
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

"""GitHub discovery end to end: a recorded-replay GitHub API lists the organisation, and every
discovered repository is cloned from a real HTTPS git server (``tests/gitserver.py``).

The replay (``tests/catalog/providers/replay.py``) answers ``GET /orgs/acme/repos`` with REST API
repository objects written here, whose ``html_url`` and ``default_branch`` name repositories the git
server really holds. One ``integrations.github`` entry serves both: its ``host`` is the git server's
``127.0.0.1:PORT`` (the git reader matches host and port exactly), its ``apiBaseUrl`` the replay.
The token comes from the environment through the GREENROOM_CONFIG app-config file; the server's
certificate is trusted through the CA bundle setting (``GREENROOM_CA_BUNDLE``).
"""

from __future__ import annotations

import base64
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from catalog import config
from catalog.models import Entity, EntityHistory, Location, ProviderState
from catalog.services.providers import due_providers
from catalog.tasks import run_due_providers_task
from tests.catalog.providers.replay import GITHUB_TOKEN, Replay, serve
from tests.gitserver import GitHttpsServer
from tests.leaks import database_text

from .discovery_support import cloned, component, push_files, refresh_provider, start_git_host, write_config
from .webhook_payloads import SECRET, github_push, signed_headers

PROVIDER = "github:acme"
ORG_REPOS = "GET /orgs/acme/repos?per_page=100&type=all"


REPOSITORIES = {
    "shop-api": {"catalog-info.yaml": component("shop-api")},
    "bikes-web": {"catalog-info.yaml": component("bikes-web")},
    # Archived in the listing: never read, although it has a descriptor.
    "old-portal": {"catalog-info.yaml": component("old-portal")},
    # No descriptor: its Location is optional, so it is quietly empty.
    "scratch": {"README.md": "# Scratch\n"},
}


@dataclass
class Discovery:
    server: GitHttpsServer
    replay: Replay
    config_file: Path
    monkeypatch: pytest.MonkeyPatch
    capture: Any

    def repository(self, name: str, **fields: Any) -> dict[str, Any]:
        """A repository object as GitHub's REST API (2022-11-28) lists it, on the git server."""
        web = self.server.url(f"acme/{name}")
        return {
            "id": 700000000 + len(name),
            "name": name,
            "full_name": f"acme/{name}",
            "private": True,
            "visibility": "private",
            "owner": {"login": "acme", "id": 81234567, "type": "Organization"},
            "html_url": web,
            "clone_url": f"{web}.git",
            "fork": False,
            "archived": False,
            "topics": [],
            "default_branch": "main",
            **fields,
        }

    def list(self, *names: str, archived: tuple[str, ...] = ()) -> None:
        """Make the replay list ``names`` (those in ``archived`` marked so)."""
        self.replay.routes = {ORG_REPOS: {"status": 200, "headers": {}, "body": "repos.json"}}
        self.replay.bodies = {"repos.json": [self.repository(n, archived=n in archived) for n in names]}

    def configure(self, orphan_strategy: str = "keep", **provider: Any) -> None:
        self.monkeypatch.setenv("DISCOVERY_TOKEN", GITHUB_TOKEN)
        netloc = self.server.netloc
        entry = {
            "host": netloc,
            "organization": "acme",
            "schedule": {"frequency": {"minutes": 30}, "timeout": {"minutes": 2}},
            **provider,
        }
        integration = {"host": netloc, "token": "${DISCOVERY_TOKEN}", "apiBaseUrl": self.replay.base}
        write_config(self.config_file, "github", integration, entry, orphan_strategy)

    def refresh(self) -> str:
        """``manage.py catalog_providers refresh github:acme --wait``, then the refreshes it queued."""
        return refresh_provider(self.capture, PROVIDER)

    def cloned(self) -> set[str]:
        return cloned(self.server)


@pytest.fixture
def discovery(
    git_https_server,
    github_replay_unrecorded,
    settings,
    tmp_path,
    monkeypatch,
    eager,
    django_capture_on_commit_callbacks,
):
    login = ("x-access-token", GITHUB_TOKEN)
    server, config_file = start_git_host(git_https_server, settings, tmp_path, login, REPOSITORIES)
    found = Discovery(server, github_replay_unrecorded, config_file, monkeypatch, django_capture_on_commit_callbacks)
    found.list(*REPOSITORIES, archived=("old-portal",))
    found.configure()
    return found


@pytest.fixture
def github_replay_unrecorded(settings):
    yield from serve("github", settings, recorded=False)


def provider_locations() -> dict[str, Entity]:
    """The provider's Location entities by repository name."""
    state = ProviderState.objects.get(provider_id=PROVIDER)
    found = Entity.objects.filter(location=state.location, kind="Location")
    return {entity.body["spec"]["target"].split("/")[4]: entity for entity in found}


def components() -> dict[str, Entity]:
    return {entity.name: entity for entity in Entity.objects.filter(kind="Component").select_related("location")}


@pytest.mark.django_db
def test_discovers_and_clones_every_listed_repository_recorded_replay(discovery, caplog):
    caplog.set_level(logging.DEBUG)
    printed = discovery.refresh()

    assert printed.startswith(f"{PROVIDER}: 3 added, 0 changed, 0 removed, 3 entities in ")
    locations = provider_locations()
    assert sorted(locations) == ["bikes-web", "scratch", "shop-api"]  # the archived one is skipped
    state = ProviderState.objects.get(provider_id=PROVIDER)
    assert {entity.location_id for entity in locations.values()} == {state.location_id}
    assert all(not entity.is_orphan for entity in locations.values())
    assert discovery.replay.asked == [ORG_REPOS]
    # The catalog read each discovered target from the git server, with the integration's token.
    assert discovery.cloned() == {"shop-api", "bikes-web", "scratch"}
    expected = "Basic " + base64.b64encode(f"x-access-token:{GITHUB_TOKEN}".encode()).decode()
    assert set(discovery.server.authorizations()) == {expected}
    found = components()
    assert sorted(found) == ["bikes-web", "shop-api"]
    target = discovery.server.url("acme/shop-api/blob/main/catalog-info.yaml")
    shop = found["shop-api"]
    assert shop.location.type == "url" and shop.location.target == target
    assert shop.location.origin == Location.Origin.PROVIDER
    assert shop.body["metadata"]["annotations"]["backstage.io/managed-by-location"] == f"url:{target}"
    assert shop.parent_ref == locations["shop-api"].ref
    scratch = Location.objects.get(target=discovery.server.url("acme/scratch/blob/main/catalog-info.yaml"))
    assert (scratch.status, scratch.errors) == (Location.Status.OK, [])
    assert not Entity.objects.filter(location=scratch).exists()
    for text in (caplog.text, database_text(), json.dumps(list(Location.objects.values_list("errors", flat=True)))):
        assert GITHUB_TOKEN not in text


@pytest.mark.django_db
def test_a_repository_gone_from_the_listing_orphans_its_location_then_its_entities_recorded_replay(discovery):
    discovery.refresh()
    discovery.list("shop-api", "scratch", "old-portal", archived=("old-portal",))

    printed = discovery.refresh()

    assert printed.startswith(f"{PROVIDER}: 0 added, 0 changed, 1 removed, 2 entities in ")
    locations = provider_locations()
    assert locations["bikes-web"].is_orphan and not locations["shop-api"].is_orphan
    found = components()
    assert found["bikes-web"].is_orphan
    assert found["bikes-web"].body["metadata"]["annotations"]["backstage.io/orphan"] == "true"
    assert not found["shop-api"].is_orphan
    gone = found["bikes-web"].location
    assert [error["message"] for error in gone.errors] == [
        "no entity provider lists this location any more; its entities are orphaned"
    ]


@pytest.mark.django_db
def test_a_repository_back_in_the_listing_gets_its_entities_back_recorded_replay(discovery):
    discovery.refresh()
    discovery.list("shop-api")
    discovery.refresh()
    assert components()["bikes-web"].is_orphan

    discovery.list("shop-api", "bikes-web")
    discovery.refresh()

    assert not components()["bikes-web"].is_orphan
    assert not provider_locations()["bikes-web"].is_orphan


@pytest.mark.django_db
def test_under_orphan_strategy_delete_the_location_and_its_entities_go_recorded_replay(discovery):
    discovery.configure(orphan_strategy="delete")
    discovery.refresh()
    target = discovery.server.url("acme/bikes-web/blob/main/catalog-info.yaml")
    assert Location.objects.filter(target=target).exists()
    discovery.list("shop-api", "scratch")

    discovery.refresh()

    assert "bikes-web" not in provider_locations()
    assert sorted(components()) == ["shop-api"]
    assert not Location.objects.filter(target=target).exists()
    assert EntityHistory.objects.filter(entity_ref="component:default/bikes-web", change="deleted").count() == 1


@pytest.mark.django_db
def test_a_registered_location_for_a_discovered_target_is_left_as_it_is_recorded_replay(discovery):
    from catalog.services import register_location, validate_location_spec

    target = discovery.server.url("acme/shop-api/blob/main/catalog-info.yaml")
    registered = register_location(validate_location_spec("url", target), trusted=True)

    discovery.refresh()

    registered.refresh_from_db()
    assert registered.origin == Location.Origin.REGISTERED
    state = ProviderState.objects.get(provider_id=PROVIDER)
    assert [error["message"] for error in state.location.errors if target in error["message"]] == [
        f"{target} is already a registered location (registered); it is read as that one"
    ]


def repository_created(discovery: Discovery, name: str, organization: str = "acme") -> tuple[bytes, dict]:
    payload = {
        "action": "created",
        "repository": discovery.repository(name),
        "organization": {"login": organization, "id": 81234567},
        "sender": {"login": "alice", "type": "User"},
    }
    body = json.dumps(payload).encode()
    return body, signed_headers("github", body, event="repository")


@pytest.mark.urls("tests.catalog.webhook_urls")
@pytest.mark.django_db
def test_a_repository_created_webhook_registers_it_within_one_tick_recorded_replay(discovery, client, settings):
    settings.CATALOG_WEBHOOK_SECRET = SECRET
    discovery.list("shop-api")
    discovery.refresh()
    discovery.server.create_repo("acme/new-service", {"catalog-info.yaml": component("new-service")})
    discovery.list("shop-api", "new-service")
    body, headers = repository_created(discovery, "new-service")
    assert due_providers(config.configured_providers().providers) == []  # it ran just now

    response = client.post("/api/catalog/webhooks/git", data=body, content_type="application/json", headers=headers)

    assert response.status_code == 202
    assert response.json() == {"providers": [PROVIDER], "repository": "acme/new-service", "action": "created"}
    assert [provider.provider_id for provider in due_providers(config.configured_providers().providers)] == [PROVIDER]
    with discovery.capture(execute=True):
        assert run_due_providers_task() == 1
    assert sorted(components()) == ["new-service", "shop-api"]
    assert "new-service" in discovery.cloned()
    assert due_providers(config.configured_providers().providers) == []


@pytest.mark.urls("tests.catalog.webhook_urls")
@pytest.mark.django_db
def test_a_push_refreshes_a_discovered_repository_recorded_replay(discovery, client, settings):
    settings.CATALOG_WEBHOOK_SECRET = SECRET
    discovery.refresh()
    sha = push_files(
        discovery.server,
        "acme/shop-api",
        {"catalog-info.yaml": component("shop-api").replace("production", "deprecated")},
    )
    payload = github_push(repo="acme/shop-api", host=discovery.server.netloc)
    payload["after"] = sha
    body = json.dumps(payload).encode()

    with discovery.capture(execute=True):
        response = client.post(
            "/api/catalog/webhooks/git",
            data=body,
            content_type="application/json",
            headers=signed_headers("github", body),
        )

    target = discovery.server.url("acme/shop-api/blob/main/catalog-info.yaml")
    assert response.status_code == 202
    assert response.json()["refreshing"] == [f"url:{target}"]
    assert components()["shop-api"].body["spec"]["lifecycle"] == "deprecated"


@pytest.mark.django_db
def test_a_listed_target_the_host_rules_refuse_is_named_and_not_read_recorded_replay(discovery):
    discovery.list("shop-api")
    elsewhere = discovery.repository("stray", html_url="https://git.elsewhere.example/acme/stray")
    discovery.replay.bodies["repos.json"].append(elsewhere)

    discovery.refresh()

    state = ProviderState.objects.get(provider_id=PROVIDER)
    refused = [error["message"] for error in state.location.errors if "elsewhere" in error["message"]]
    assert len(refused) == 1 and refused[0].startswith(
        "url:https://git.elsewhere.example/acme/stray/blob/main/catalog-info.yaml is refused: "
    )
    assert not Location.objects.filter(target__contains="elsewhere").exists()
    assert sorted(components()) == ["shop-api"]

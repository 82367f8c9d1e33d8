"""GitHub ``repository`` webhooks on ``POST /api/catalog/webhooks/git``: discovery providers made due."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from catalog import config
from catalog.models import ProviderState
from portal.models import AuditEvent

from .webhook_payloads import SECRET, signed_headers

URL = "/api/catalog/webhooks/git"

pytestmark = [pytest.mark.urls("tests.catalog.webhook_urls"), pytest.mark.django_db]


@pytest.fixture(autouse=True)
def providers(settings, tmp_path):
    """Two discovery providers: ``github:acme`` (shop repositories only) and ``github:other``."""
    settings.CATALOG_WEBHOOK_SECRET = SECRET
    app_config = {
        "integrations": {"github": [{"host": "github.com", "token": "ghp_unused"}]},
        "catalog": {
            "providers": {
                "github": {
                    "acme": {"organization": "ACME", "filters": {"repository": "shop-.*"}},
                    "other": {"organization": "other"},
                    "enterprise": {"host": "ghe.example.net", "organization": "acme"},
                }
            }
        },
    }
    path = tmp_path / "app-config.yaml"
    path.write_text(yaml.safe_dump(app_config))
    settings.GREENROOM_CONFIG_FILE = str(path)
    config.catalog_settings.cache_clear()


def repository_event(name: str, action: str = "created", organization: str = "acme", **fields: Any) -> dict:
    return {
        "action": action,
        "repository": {
            "id": 1296269,
            "name": name,
            "full_name": f"{organization}/{name}",
            "owner": {"login": organization, "type": "Organization"},
            "html_url": f"https://github.com/{organization}/{name}",
            "default_branch": "main",
            "archived": False,
            "fork": False,
            "visibility": "private",
            "topics": [],
            **fields,
        },
        "organization": {"login": organization},
        "sender": {"login": "alice"},
    }


def deliver(client, payload: Any, *, headers: dict[str, str] | None = None, body: bytes | None = None):
    raw = body if body is not None else json.dumps(payload).encode()
    sent = headers if headers is not None else signed_headers("github", raw, event="repository")
    return client.post(URL, data=raw, content_type="application/json", headers=sent)


def due() -> list[str]:
    return list(ProviderState.objects.filter(run_requested_at__isnull=False).values_list("provider_id", flat=True))


def test_a_created_repository_makes_the_matching_provider_due(client):
    response = deliver(client, repository_event("shop-api"))

    assert response.status_code == 202
    assert response.json() == {"providers": ["github:acme"], "repository": "acme/shop-api", "action": "created"}
    assert due() == ["github:acme"]
    event = AuditEvent.objects.get(action="provider.refresh")
    assert (event.target, event.details["reason"]) == ("github:acme", "repository created: acme/shop-api")


def test_a_created_repository_outside_the_filters_makes_nothing_due(client):
    response = deliver(client, repository_event("bikes-web"))

    assert response.status_code == 200
    assert response.json()["providers"] == []
    assert due() == []


def test_an_archived_created_repository_makes_nothing_due(client):
    response = deliver(client, repository_event("shop-old", archived=True))

    assert (response.status_code, due()) == (200, [])


def test_an_organisation_no_provider_watches_makes_nothing_due(client):
    response = deliver(client, repository_event("shop-api", organization="nobody"))

    assert response.status_code == 200
    assert response.json() == {"providers": [], "repository": "nobody/shop-api", "action": "created"}
    assert due() == []


def test_a_deleted_repository_makes_every_provider_of_the_organisation_due(client):
    response = deliver(client, repository_event("bikes-web", action="deleted"))

    assert response.status_code == 202
    assert due() == ["github:acme"]


def test_another_host_is_another_provider(client):
    payload = repository_event("shop-api")
    payload["repository"]["html_url"] = "https://ghe.example.net/acme/shop-api"

    response = deliver(client, payload)

    assert response.json()["providers"] == ["github:enterprise"]
    assert due() == ["github:enterprise"]


def test_other_actions_are_acknowledged_and_ignored(client):
    response = deliver(client, repository_event("shop-api", action="edited"))

    assert response.status_code == 200
    assert response.json() == {"refreshing": [], "ignored": "repository 'edited' events are ignored"}
    assert due() == []


def test_a_wrong_signature_is_refused_and_nothing_is_due(client):
    body = json.dumps(repository_event("shop-api")).encode()

    response = deliver(client, None, body=body, headers=signed_headers("github", body, "repository", secret="guess"))

    assert response.status_code == 401
    assert response.json()["error"]["message"] == (
        "X-Hub-Signature-256 does not match the body signed with the configured secret"
    )
    assert due() == []


def test_an_unsigned_delivery_is_refused(client):
    response = deliver(client, repository_event("shop-api"), headers={"X-GitHub-Event": "repository"})

    assert response.status_code == 401
    assert response.json()["error"]["message"] == "missing X-Hub-Signature-256 header"
    assert due() == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"action": None}, "the repository payload has no 'action'"),
        ({"repository": "acme/shop-api"}, "the repository payload has no 'repository' object"),
        ({"repository": {"name": "shop-api"}}, "the repository payload has no http(s) 'repository.html_url'"),
        (
            {"repository": {"name": "shop-api", "topics": "backstage"}},
            "the repository payload's 'repository.topics' must be a list of strings",
        ),
        (
            {"repository": {"name": "shop-api", "html_url": "https://github.com/acme/shop-api"}, "organization": None},
            "the repository payload names no 'organization.login' or 'repository.owner.login'",
        ),
    ],
)
def test_a_malformed_repository_event_is_refused_naming_the_field(client, change, message):
    payload = {**repository_event("shop-api"), **change}

    response = deliver(client, payload)

    assert response.status_code == 400
    assert response.json()["error"]["message"] == message
    assert due() == []

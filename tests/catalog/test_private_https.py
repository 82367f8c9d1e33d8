"""A location on a private git host over HTTPS, end to end: refusals, ingestion, webhook, no leaks.

The host is ``tests/gitserver.py`` (``git http-backend`` over TLS from a test CA, Basic auth); the
integration comes from a GREENROOM_CONFIG app-config file, its token from the environment.
"""

from __future__ import annotations

import base64
import json
import logging

import pytest

from catalog.models import Entity, EntityHistory, Location
from catalog.services import refresh_location, register_location, validate_location_spec
from portal.models import AuditEvent
from tests.gitserver import DOCUMENTED_REPO, PRIVATE_TOKEN
from tests.leaks import CommandLineWatcher, database_text

from .webhook_payloads import SECRET, gitea_push, signed_headers

ENTITY = "component:default/private-service"
WRONG_TOKEN = "ghe_wrong-token-1c9b77"


def register(host) -> Location:
    # As a person registers it (not trusted): only remote targets are allowed.
    return register_location(validate_location_spec("url", host.location_target))


def error_messages(location: Location) -> list[str]:
    location.refresh_from_db()
    return [error["message"] for error in location.errors]


@pytest.mark.django_db
def test_without_an_integration_the_location_says_to_configure_one(private_git_host):
    location = register(private_git_host)

    report = refresh_location(location)

    netloc = private_git_host.server.netloc
    expected = f"configure an integration for {netloc} (in integrations: of GREENROOM_CONFIG)"
    assert report.refused and expected in str(report.refused[0])
    assert any(expected in message for message in error_messages(location))
    assert location.status == Location.Status.ERROR
    assert not Entity.objects.filter(ref=ENTITY).exists()


@pytest.mark.django_db
def test_a_wrong_token_names_the_integration(private_git_host):
    private_git_host.configure_integration(WRONG_TOKEN)
    location = register(private_git_host)

    refresh_location(location)

    netloc = private_git_host.server.netloc
    assert any(
        f"authentication failed for {netloc} (integration github[0])" in message for message in error_messages(location)
    )


@pytest.mark.django_db
def test_with_the_integration_the_entity_ingests(private_git_host):
    private_git_host.configure_integration()
    location = register(private_git_host)

    report = refresh_location(location)

    assert ENTITY in report.added and report.refused == []
    entity = Entity.objects.get(ref=ENTITY)
    assert entity.body["metadata"]["annotations"]["backstage.io/techdocs-ref"] == "dir:."
    assert entity.location_key == f"url:{private_git_host.location_target}"


@pytest.mark.django_db
def test_an_untrusted_certificate_says_to_set_the_ca_bundle(private_git_host, settings):
    private_git_host.configure_integration()
    settings.CATALOG = {**settings.CATALOG, "CA_BUNDLE": None}
    location = register(private_git_host)

    refresh_location(location)

    netloc = private_git_host.server.netloc
    assert any(f"certificate not trusted for {netloc}; set GREENROOM_CA_BUNDLE" in m for m in error_messages(location))


def push_delivery(client, host):
    payload = gitea_push(repo="acme/private-service")
    payload["after"] = host.repo.commit(
        {
            "catalog-info.yaml": DOCUMENTED_REPO["catalog-info.yaml"].replace(
                "lifecycle: production", "lifecycle: deprecated"
            )
        }
    )
    url = host.repo.url.removesuffix(".git")
    payload["repository"].update(html_url=url, clone_url=host.repo.url, ssh_url="")
    body = json.dumps(payload).encode()
    return client.post(
        "/api/catalog/webhooks/git", data=body, content_type="application/json", headers=signed_headers("gitea", body)
    )


@pytest.mark.urls("tests.catalog.webhook_urls")
@pytest.mark.django_db(transaction=True)
def test_nothing_stores_shows_or_passes_the_token(private_git_host, client, settings, caplog, eager):
    """Refusals, an ingestion and a webhook refresh, watched: no argv, log, error or row holds the token."""
    settings.CATALOG_WEBHOOK_SECRET = SECRET
    caplog.set_level(logging.DEBUG)
    with CommandLineWatcher() as watcher:
        location = register(private_git_host)
        refresh_location(location)  # no integration yet
        private_git_host.configure_integration(WRONG_TOKEN)
        refresh_location(location)
        failures = error_messages(location)
        private_git_host.configure_integration()
        refresh_location(location)
        assert Entity.objects.get(ref=ENTITY).body["spec"]["lifecycle"] == "production"
        response = push_delivery(client, private_git_host)

    assert response.status_code == 202, response.content
    assert response.json()["refreshing"] == [location.location_ref]
    assert Entity.objects.get(ref=ENTITY).body["spec"]["lifecycle"] == "deprecated"  # the webhook's refresh
    assert "\n".join(watcher.git_command_lines).count(private_git_host.server.netloc) >= 3
    history = [json.dumps(row.body) for row in EntityHistory.objects.filter(entity_ref=ENTITY)]
    audit = [json.dumps([event.target, event.details]) for event in AuditEvent.objects.all()]
    dump = database_text()
    assert len(history) == 2 and audit and "private-service" in dump
    places = {
        "command lines": "\n".join(watcher.git_command_lines),
        "logs": caplog.text,
        "location errors": "\n".join(failures + error_messages(location)),
        "entity history": "\n".join(history),
        "audit events": "\n".join(audit),
        "database": dump,
    }
    for token in (PRIVATE_TOKEN, WRONG_TOKEN):
        encoded = base64.b64encode(f"x-access-token:{token}".encode()).decode()
        for place, text in places.items():
            assert token not in text and encoded not in text, f"the token is in the {place}"


@pytest.mark.django_db
def test_analyze_location_says_what_to_configure_then_reads_the_repository(private_git_host, api, settings):
    def analyze():
        target = {"type": "url", "target": private_git_host.repo.url}
        return api.post("/api/catalog/analyze-location", {"location": target}, format="json")

    refused = analyze()
    netloc = private_git_host.server.netloc
    assert refused.status_code == 400
    assert refused.json()["error"]["message"] == (
        f"cannot analyze {private_git_host.repo.url}: Could not read git repository {private_git_host.repo.url}: "
        f"{netloc} refused access: configure an integration for {netloc} (in integrations: of GREENROOM_CONFIG)"
    )
    private_git_host.configure_integration()
    # An ordinary user may not read through the integration's credential by default.
    assert analyze().status_code == 403
    settings.CATALOG_CREDENTIALED_HOST_REGISTRATION = "signed-in"
    answered = analyze()
    assert answered.status_code == 200
    assert answered.json()["existingEntityFiles"][0]["entity"]["metadata"]["name"] == "private-service"

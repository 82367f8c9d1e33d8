"""The git push webhook endpoint: ``POST /api/catalog/webhooks/git``."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest

from catalog.models import Location
from catalog.services import RefreshInProgress, register_location, validate_location_spec
from catalog.tasks import refresh_location_task

from .webhook_payloads import (
    SECRET,
    SHA,
    gitea_push,
    github_push,
    github_signature,
    gitlab_push,
    signed_headers,
)

URL = "/api/catalog/webhooks/git"

pytestmark = pytest.mark.urls("tests.catalog.webhook_urls")


def url_location(target: str) -> Location:
    return register_location(validate_location_spec("url", target), trusted=True)


@pytest.fixture(autouse=True)
def webhook_secret(settings):
    settings.CATALOG_WEBHOOK_SECRET = SECRET


@pytest.fixture
def queued(monkeypatch) -> list[str]:
    """Location ids whose refresh was sent to the broker."""
    sent: list[str] = []
    monkeypatch.setattr(refresh_location_task, "delay", sent.append)
    return sent


@pytest.fixture
def deliver(client, django_capture_on_commit_callbacks):
    """POST a delivery as a forge would (signed unless headers are given); run on-commit work."""

    def send(
        provider: str,
        payload: Any,
        *,
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
        url: str = URL,
    ):
        raw = body if body is not None else json.dumps(payload).encode()
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                url,
                data=raw,
                content_type="application/json",
                headers=headers if headers is not None else signed_headers(provider, raw),
            )

    return send


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("provider", "payload", "target", "repository"),
    [
        ("github", github_push(), "https://github.com/acme/shop/blob/main/catalog-info.yaml", "acme/shop"),
        (
            "gitlab",
            gitlab_push(),
            "git@gitlab.example.com:platform/team-a/shop.git#main:catalog-info.yaml",
            "platform/team-a/shop",
        ),
        ("gitea", gitea_push(), "https://git.example.com/acme/shop.git#main:catalog-info.yaml", "acme/shop"),
    ],
)
def test_verified_push_queues_refresh_of_matching_locations(deliver, queued, provider, payload, target, repository):
    location = url_location(target)
    url_location("https://github.com/acme/other/blob/main/catalog-info.yaml")

    response = deliver(provider, payload)

    assert response.status_code == 202
    assert response.json() == {
        "refreshing": [f"url:{target}"],
        "repository": repository,
        "branch": "main",
        "commit": SHA,
    }
    assert queued == [str(location.pk)]


@pytest.mark.django_db
def test_push_refreshes_every_location_of_the_repository(deliver, queued):
    first = url_location("https://github.com/acme/shop/blob/main/catalog-info.yaml")
    second = url_location("git@github.com:acme/shop.git#main:teams/*.yaml")
    response = deliver("github", github_push())
    assert response.status_code == 202
    assert sorted(queued) == sorted([str(first.pk), str(second.pk)])


@pytest.mark.django_db
def test_wrong_signature_is_refused(deliver, queued):
    url_location("https://github.com/acme/shop/blob/main/catalog-info.yaml")
    body = json.dumps(github_push()).encode()
    response = deliver("github", None, body=body, headers=signed_headers("github", body, secret="guess"))
    assert response.status_code == 401
    assert response.json()["error"] == {
        "name": "AuthenticationError",
        "message": "X-Hub-Signature-256 does not match the body signed with the configured secret",
    }
    assert response.json()["response"] == {"statusCode": 401}
    assert queued == []


@pytest.mark.django_db
def test_missing_signature_is_refused(deliver, queued):
    url_location("https://github.com/acme/shop/blob/main/catalog-info.yaml")
    response = deliver("github", github_push(), headers={"X-GitHub-Event": "push"})
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "missing X-Hub-Signature-256 header"
    assert queued == []


@pytest.mark.django_db
def test_tampered_body_is_refused(deliver, queued):
    url_location("https://github.com/acme/other/blob/main/catalog-info.yaml")
    body = json.dumps(github_push()).encode()
    tampered = body.replace(b"acme/shop", b"acme/other")
    response = deliver("github", None, body=tampered, headers=signed_headers("github", body))
    assert response.status_code == 401
    assert queued == []


@pytest.mark.django_db
def test_wrong_gitlab_token_is_refused(deliver, queued):
    url_location("https://gitlab.example.com/platform/team-a/shop/-/blob/main/catalog-info.yaml")
    headers = {"X-Gitlab-Event": "Push Hook", "X-Gitlab-Token": SECRET + "x"}
    response = deliver("gitlab", gitlab_push(), headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "X-Gitlab-Token does not match the configured secret"
    assert queued == []


@pytest.mark.django_db
def test_wrong_gitea_signature_is_refused(deliver, queued):
    url_location("https://git.example.com/acme/shop/src/branch/main/catalog-info.yaml")
    body = json.dumps(gitea_push()).encode()
    response = deliver("gitea", None, body=body, headers=signed_headers("gitea", body, secret="guess"))
    assert response.status_code == 401
    assert queued == []


@pytest.mark.django_db
def test_ping_is_acknowledged_without_refreshing(deliver, queued):
    url_location("https://github.com/acme/shop/blob/main/catalog-info.yaml")
    ping = {"zen": "Keep it logically awesome.", "hook_id": 42, "repository": github_push()["repository"]}
    body = json.dumps(ping).encode()
    response = deliver("github", None, body=body, headers=signed_headers("github", body, event="ping"))
    assert response.status_code == 200
    assert response.json() == {"refreshing": [], "ignored": "'ping' events are acknowledged and ignored"}
    assert queued == []


@pytest.mark.django_db
def test_push_to_unregistered_repository_answers_200_with_nothing(deliver, queued):
    url_location("https://github.com/acme/other/blob/main/catalog-info.yaml")
    response = deliver("github", github_push())
    assert response.status_code == 200
    assert response.json() == {"refreshing": [], "repository": "acme/shop", "branch": "main", "commit": SHA}
    assert queued == []


@pytest.mark.django_db
def test_push_to_another_branch_refreshes_nothing(deliver, queued):
    url_location("https://github.com/acme/shop/blob/main/catalog-info.yaml")
    response = deliver("github", github_push(ref="refs/heads/feature/rename"))
    assert response.status_code == 200
    assert response.json()["refreshing"] == []
    assert queued == []


@pytest.mark.django_db
def test_malformed_json_is_refused(deliver, queued):
    body = b'{"ref": "refs/heads/main", '
    response = deliver("github", None, body=body, headers=signed_headers("github", body))
    assert response.status_code == 400
    assert response.json()["error"]["name"] == "InputError"
    assert queued == []


@pytest.mark.django_db
def test_request_without_event_header_is_refused(deliver, queued):
    body = json.dumps(github_push()).encode()
    response = deliver("github", None, body=body, headers={"X-Hub-Signature-256": github_signature(body)})
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("not a git webhook")
    assert queued == []


@pytest.mark.django_db
def test_unconfigured_secret_turns_the_endpoint_off(deliver, queued, settings):
    url_location("https://github.com/acme/shop/blob/main/catalog-info.yaml")
    settings.CATALOG_WEBHOOK_SECRET = ""
    response = deliver("github", github_push())
    assert response.status_code == 503
    assert response.json()["error"] == {
        "name": "ServiceUnavailableError",
        "message": "webhooks are not configured: set CATALOG_WEBHOOK_SECRET",
    }
    assert queued == []


@pytest.mark.django_db
def test_oversized_body_is_refused(deliver, queued, settings):
    url_location("https://github.com/acme/shop/blob/main/catalog-info.yaml")
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    payload = github_push()
    payload["commits"] = [{"id": SHA, "message": "x" * 2000}]
    response = deliver("github", payload)
    assert response.status_code == 413
    assert response.json()["error"]["name"] == "PayloadTooLargeError"
    assert queued == []


@pytest.mark.django_db
def test_github_form_encoded_delivery_is_read(client, queued, django_capture_on_commit_callbacks):
    location = url_location("https://github.com/acme/shop/blob/main/catalog-info.yaml")
    body = urlencode({"payload": json.dumps(github_push())}).encode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            URL,
            data=body,
            content_type="application/x-www-form-urlencoded",
            headers=signed_headers("github", body),
        )
    assert response.status_code == 202
    assert queued == [str(location.pk)]


@pytest.mark.django_db
def test_provider_in_the_path_must_match_the_headers(deliver, queued):
    location = url_location("https://git.example.com/acme/shop/src/branch/main/catalog-info.yaml")
    refused = deliver("gitea", gitea_push(), url=f"{URL}/github")
    accepted = deliver("gitea", gitea_push(), url=f"{URL}/forgejo")
    assert refused.status_code == 400
    assert refused.json()["error"]["message"] == ("this endpoint takes github webhooks, but the headers are gitea's")
    assert accepted.status_code == 202
    assert queued == [str(location.pk)]


@pytest.mark.django_db
def test_endpoint_needs_no_session_or_csrf_token(queued):
    from django.test import Client

    location = url_location("https://github.com/acme/shop/blob/main/catalog-info.yaml")
    body = json.dumps(github_push()).encode()
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(URL, data=body, content_type="application/json", headers=signed_headers("github", body))
    assert response.status_code == 202
    assert response.json()["refreshing"] == [location.location_ref]


@pytest.mark.django_db
def test_push_runs_the_refresh_task_for_the_location(client, monkeypatch, django_capture_on_commit_callbacks):
    """End to end with eager Celery: the delivery reaches the task with the matched location's id.

    The refresh itself needs the remote, which tests cannot reach; reading git is covered by the
    refresh tests, so the service call is recorded instead.
    """
    from portal.celery import app

    location = url_location("https://github.com/acme/shop/blob/main/catalog-info.yaml")
    url_location("https://github.com/acme/shop/blob/release/catalog-info.yaml")
    refreshed: list[str] = []

    def record(target: Location):
        refreshed.append(str(target.pk))
        raise RefreshInProgress("recorded")

    monkeypatch.setattr("catalog.tasks.refresh_location", record)
    body = json.dumps(github_push()).encode()
    was_eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                URL, data=body, content_type="application/json", headers=signed_headers("github", body)
            )
    finally:
        app.conf.task_always_eager = was_eager
    assert response.status_code == 202
    assert refreshed == [str(location.pk)]


@pytest.mark.django_db
def test_unknown_provider_in_the_path_is_not_found(deliver, queued):
    url_location("https://github.com/acme/shop/blob/main/catalog-info.yaml")
    response = deliver("github", github_push(), url=f"{URL}/bitbucket")
    assert response.status_code == 404
    assert queued == []

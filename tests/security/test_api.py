"""API: every write needs an identity, limits hold, webhooks are verified in constant time and throttled."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from catalog import webhooks
from catalog.models import Location
from tests.catalog.webhook_payloads import SECRET, github_push, signed_headers

pytestmark = pytest.mark.django_db

UNSAFE_METHODS = ("post", "put", "patch", "delete")
# Authenticated by the forge's signature instead of a token (checked in the webhook tests below).
SIGNATURE_ROUTES = {"catalog-api:git-webhook", "catalog-api:git-webhook-provider"}


@pytest.fixture(autouse=True)
def fresh_throttle_counts():
    cache.clear()
    yield
    cache.clear()


def api_routes(routes):
    return [route for route in routes if route.path.startswith("/api/") and route.name not in SIGNATURE_ROUTES]


def _is_documented_read(route, method: str) -> bool:
    """A POST that only reads (Backstage's by-refs, by-query, facets...), marked on its view."""
    view = getattr(route.callback, "cls", None) or getattr(route.callback, "view_class", None)
    return method == "post" and bool(getattr(view, "is_read_only_post", False))


@pytest.mark.parametrize("anonymous_read", [False, True])
def test_every_api_write_without_a_token_is_refused(routes, settings, anonymous_read):
    # Even where anonymous reads are open, writes are not.
    settings.API_ANONYMOUS_READ = anonymous_read
    client = APIClient()
    accepted = []
    for route in api_routes(routes):
        for method in UNSAFE_METHODS:
            if anonymous_read and _is_documented_read(route, method):
                continue
            response = getattr(client, method)(route.path, {}, format="json")
            if response.status_code not in (401, 403, 405):
                accepted.append(f"{method.upper()} {route.path} -> {response.status_code}")
            elif response.status_code == 405 and method == "post" and "POST" in response.headers.get("Allow", ""):
                accepted.append(f"{method.upper()} {route.path} -> 405 though POST is allowed")
    assert accepted == []


def test_the_api_walk_covers_every_app(routes):
    prefixes = {route.path.split("/")[2] for route in api_routes(routes)}
    assert {"catalog", "scaffolder", "techdocs", "tech-radar", "search"} <= prefixes


def test_a_wrong_token_is_401_never_anonymous(routes):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer grt_not-a-real-token")
    response = client.get("/api/catalog/entities")
    assert response.status_code == 401
    assert response.json()["error"]["name"] == "AuthenticationError"


def test_page_sizes_are_bounded(django_user_model):
    client = APIClient()
    client.force_authenticate(django_user_model.objects.create_user("alice"))
    response = client.get("/api/catalog/entities", {"limit": 10**9})
    assert response.status_code == 400
    assert "limit" in response.json()["error"]["message"]


def test_bodies_over_the_limit_are_413_before_parsing(settings, django_user_model):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    client = APIClient()
    client.force_authenticate(django_user_model.objects.create_user("alice"))
    body = json.dumps({"type": "url", "target": "https://github.com/a/b/blob/main/" + "x" * 4096})
    response = client.post("/api/catalog/locations", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["error"]["name"] == "PayloadTooLargeError"
    assert Location.objects.count() == 0


def test_webhook_signatures_are_compared_in_constant_time(monkeypatch):
    calls = []
    real = webhooks.hmac.compare_digest

    def spy(left, right):
        calls.append((left, right))
        return real(left, right)

    monkeypatch.setattr(webhooks.hmac, "compare_digest", spy)
    body = json.dumps(github_push()).encode()
    headers = signed_headers("github", body)
    webhooks.verify("github", headers, body, SECRET)
    with pytest.raises(webhooks.SignatureError):
        webhooks.verify("github", {**headers, "X-Hub-Signature-256": "sha256=" + "0" * 64}, body, SECRET)
    assert len(calls) == 2


def test_a_webhook_signed_with_another_secret_changes_nothing(settings):
    settings.CATALOG_WEBHOOK_SECRET = SECRET
    body = json.dumps(github_push()).encode()
    headers = signed_headers("github", body, secret="guessed")
    response = APIClient().post("/api/catalog/webhooks/git", body, content_type="application/json", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["name"] == "AuthenticationError"


def test_webhooks_are_rate_limited_with_backstages_error_shape(settings):
    settings.CATALOG_WEBHOOK_SECRET = SECRET
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "webhook": "3/minute"}
    client = APIClient()
    body = json.dumps(github_push()).encode()
    headers = signed_headers("github", body, secret="wrong")
    statuses = [
        client.post("/api/catalog/webhooks/git", body, content_type="application/json", headers=headers).status_code
        for _ in range(4)
    ]
    assert statuses == [401, 401, 401, 429]
    response = client.post("/api/catalog/webhooks/git", body, content_type="application/json", headers=headers)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json() == {
        "error": {"name": "TooManyRequestsError", "message": response.json()["error"]["message"]},
        "request": {"method": "POST", "url": "/api/catalog/webhooks/git"},
        "response": {"statusCode": 429},
    }


def test_an_empty_rate_switches_the_limit_off(settings):
    settings.CATALOG_WEBHOOK_SECRET = SECRET
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "webhook": ""}
    client = APIClient()
    body = json.dumps(github_push()).encode()
    headers = signed_headers("github", body, secret="wrong")
    statuses = {
        client.post("/api/catalog/webhooks/git", body, content_type="application/json", headers=headers).status_code
        for _ in range(5)
    }
    assert statuses == {401}


def test_token_issuing_is_rate_limited_per_person(settings, django_user_model, client):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "token": "2/hour"}
    alice = django_user_model.objects.create_user("alice")
    client.force_login(alice)
    statuses = [client.post("/accounts/tokens/", {"name": f"t{index}"}).status_code for index in range(3)]
    assert statuses == [200, 200, 429]
    assert alice.api_tokens.count() == 2
    response = client.post("/accounts/tokens/", {"name": "again"})
    assert b"Too many tokens issued recently" in response.content
    client.force_login(django_user_model.objects.create_user("bob"))
    assert client.post("/accounts/tokens/", {"name": "bob's"}).status_code == 200


def test_one_cannot_revoke_another_persons_token(django_user_model, client):
    from portal.services.tokens import issue_token

    alice = django_user_model.objects.create_user("alice")
    token, _ = issue_token(alice, "ci")
    client.force_login(django_user_model.objects.create_user("bob"))
    response = client.post(f"/accounts/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert response.status_code == 404
    assert not token.is_revoked

"""CSRF: every route that accepts a POST from a signed-in browser refuses one without a token.

The walk covers every ``path()`` route of the project (the admin's, allauth's and the apps'), so a
view added later with ``csrf_exempt`` by mistake fails here. Only the git webhook is exempt: it
authenticates each delivery by its HMAC signature, and a browser cannot forge one.
"""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

# Signature-authenticated, never session-authenticated: no cookie makes a delivery count.
CSRF_EXEMPT_ROUTES = {"catalog-api:git-webhook", "catalog-api:git-webhook-provider"}


@pytest.fixture
def browser(django_user_model) -> Client:
    """A superuser's browser that does not send CSRF tokens (as a forged cross-site form would)."""
    user = django_user_model.objects.create_superuser("root", "root@example.com", "root-password-1")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def _is_csrf_refusal(response) -> bool:
    body = response.content.decode("utf-8", "replace")
    return response.status_code == 403 and "CSRF" in body


def _refuses_post_anyway(response) -> bool:
    """A read-only view (its ``Allow`` header lacks POST) has nothing a forged form could do."""
    allowed = response.headers.get("Allow")
    return response.status_code in (403, 405) and allowed is not None and "POST" not in allowed


def test_every_route_refuses_a_post_without_a_csrf_token(browser, routes):
    accepted = []
    for route in routes:
        if route.name in CSRF_EXEMPT_ROUTES:
            continue
        response = browser.post(route.path, {"name": "forged"})
        if not (_is_csrf_refusal(response) or _refuses_post_anyway(response)):
            accepted.append(f"{route.name or '?'} {route.path} -> {response.status_code}")
    assert accepted == []


def test_the_walk_covers_the_forms_of_every_app(routes):
    names = {route.name for route in routes}
    expected = {
        "accounts:tokens",
        "accounts:token_revoke",
        "catalog:register_location",
        "catalog:star_toggle",
        "entity_actions:unregister",
        "scaffolder:template_form",
        "scaffolder:task_cancel",
        "techdocs:rebuild",
        "techradar:entry_edit",
        "admin:portal_apitoken_add",
        "account_logout",
    }
    assert expected <= names


def test_a_post_with_the_token_passes_the_csrf_check(django_user_model):
    user = django_user_model.objects.create_user("alice", password="alice-password-1")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    page = client.get("/accounts/tokens/")
    token = page.cookies["csrftoken"].value
    response = client.post("/accounts/tokens/", {"name": "ci", "csrfmiddlewaretoken": token})
    assert response.status_code == 200
    assert user.api_tokens.count() == 1


def test_webhook_routes_are_exempt_only_because_they_check_signatures(settings, routes):
    settings.CATALOG_WEBHOOK_SECRET = "s3cret"
    client = Client(enforce_csrf_checks=True)
    for route in routes:
        if route.name in CSRF_EXEMPT_ROUTES:
            response = client.post(
                route.path, b"{}", content_type="application/json", headers={"X-GitHub-Event": "push"}
            )
            assert response.status_code == 401, route.path

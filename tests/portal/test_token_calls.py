"""Token calls to the API pass the authentication and message middleware untouched and read no
session; session-cookie calls still run them, and their writes still need a CSRF token."""

from __future__ import annotations

import uuid

import pytest
from django.core.checks import run_checks
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.views import APIView

from portal.api.token_calls import is_token_call
from portal.services.tokens import issue_token

pytestmark = pytest.mark.django_db

LIST = "/api/catalog/entities?limit=5"


def delete_url() -> str:
    # Deleting an entity that does not exist is a write that answers 204 and changes nothing.
    return f"/api/catalog/entities/by-uid/{uuid.uuid4()}"


def bearer(plain: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def test_token_call_reads_no_session_and_sets_up_no_message_storage(client, alice):
    _, plain = issue_token(alice, "laptop")

    response = client.get(LIST, **bearer(plain))

    assert response.status_code == 200
    request = response.wsgi_request
    assert not request.session.accessed and not request.session.modified
    assert not hasattr(request, "_messages")
    assert request.user == alice
    assert "csrftoken" not in response.cookies
    assert "sessionid" not in response.cookies
    assert "Cookie" not in response.get("Vary", "")


def test_token_write_needs_no_csrf_token(alice):
    _, plain = issue_token(alice, "laptop")

    response = Client(enforce_csrf_checks=True).delete(delete_url(), **bearer(plain))

    assert response.status_code == 204
    assert not response.wsgi_request.session.accessed


def test_token_call_is_its_token_user_even_with_another_users_session(client, alice, bob):
    _, plain = issue_token(alice, "laptop")
    client.force_login(bob)

    response = client.get(LIST, **bearer(plain))

    assert response.status_code == 200
    assert response.wsgi_request.user == alice


def test_refused_token_does_not_fall_back_to_the_session_cookie(client, alice):
    client.force_login(alice)

    response = client.get(LIST, HTTP_AUTHORIZATION="Bearer gr_not-a-token")

    assert response.status_code == 401
    assert response.json()["error"]["name"] == "AuthenticationError"
    assert response.wsgi_request.user.is_anonymous


def test_session_call_runs_the_session_middleware(client, alice):
    client.force_login(alice)

    response = client.get(LIST)

    assert response.status_code == 200
    assert response.wsgi_request.session.get("_auth_user_id") == str(alice.pk)
    assert response.wsgi_request.user == alice


def test_session_write_without_csrf_token_is_refused(alice):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)

    response = browser.delete(delete_url())

    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]["message"]


def test_session_write_with_csrf_token_is_allowed(alice):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    csrf_token = browser.get("/accounts/tokens/").cookies["csrftoken"].value

    response = browser.delete(delete_url(), HTTP_X_CSRFTOKEN=csrf_token)

    assert response.status_code == 204


def test_page_with_an_authorization_header_still_has_its_session(client, alice):
    client.force_login(alice)

    response = client.get("/accounts/tokens/", HTTP_AUTHORIZATION="Bearer anything")

    assert response.status_code == 200
    assert response.wsgi_request.user == alice


@pytest.mark.parametrize(
    ("path", "header", "expected"),
    [
        ("/api/catalog/entities", "Bearer x", True),
        ("/api/catalog/entities", "Basic eDp5", True),
        ("/api/catalog/entities", "", False),
        ("/api/catalog/entities", "   ", False),
        ("/catalog/", "Bearer x", False),
        ("/apiary/", "Bearer x", False),
    ],
)
def test_what_counts_as_a_token_call(rf, path, header, expected):
    request = rf.get(path, HTTP_AUTHORIZATION=header) if header else rf.get(path)

    assert is_token_call(request) is expected


def _routes(patterns, prefix: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def test_every_api_route_is_a_drf_view():
    """Only DRF reads the token; a plain Django view under /api/ would find no user on a token call."""
    routes = _routes(get_resolver().url_patterns)
    api_routes = [(route, callback) for route, callback in routes if route.startswith("api/")]
    assert len(api_routes) > 20
    plain = [route for route, callback in api_routes if not issubclass(getattr(callback, "cls", object), APIView)]
    assert plain == []


def test_the_admins_middleware_checks_pass():
    # The admin requires the session, authentication and message middleware (or subclasses).
    errors = [message for message in run_checks() if message.id and message.id.startswith("admin.E4")]
    assert errors == []

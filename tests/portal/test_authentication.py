"""Bearer tokens on the API: who may read and write, and errors in Backstage's shape."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from portal.models import ApiToken
from portal.services.tokens import issue_token, revoke_token

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.portal.token_urls")]

URL = "/whoami/"


def bearer(plain: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def assert_authentication_error(response, method: str, message: str) -> None:
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json() == {
        "error": {"name": "AuthenticationError", "message": message},
        "request": {"method": method, "url": URL},
        "response": {"statusCode": 401},
    }


def test_anonymous_read_is_refused_by_default(client, settings):
    settings.API_ANONYMOUS_READ = False

    response = client.get(URL)

    assert_authentication_error(response, "GET", "Authentication credentials were not provided.")


def test_anonymous_read_is_allowed_when_switched_on(client, settings):
    settings.API_ANONYMOUS_READ = True

    response = client.get(URL)

    assert response.status_code == 200
    assert response.json() == {"user": None, "token": None}


def test_signed_in_user_reads_without_token(client, alice):
    client.force_login(alice)

    response = client.get(URL)

    assert response.json() == {"user": "alice", "token": None}


def test_write_without_token_is_refused_even_with_anonymous_read(client, settings):
    settings.API_ANONYMOUS_READ = True

    response = client.post(URL)

    assert_authentication_error(response, "POST", "Authentication credentials were not provided.")


def test_write_with_token_is_allowed(client, service_account):
    _, plain = issue_token(service_account, "ci")

    response = client.post(URL, **bearer(plain))

    assert response.status_code == 200
    assert response.json() == {"user": "ci-bot", "token": "ci"}


def test_read_with_token_is_allowed(client, alice, settings):
    settings.API_ANONYMOUS_READ = False
    _, plain = issue_token(alice, "laptop")

    response = client.get(URL, **bearer(plain))

    assert response.json() == {"user": "alice", "token": "laptop"}


def test_scheme_is_case_insensitive(client, alice):
    _, plain = issue_token(alice, "laptop")

    response = client.post(URL, HTTP_AUTHORIZATION=f"bearer {plain}")

    assert response.status_code == 200


EXPECTED = "expected 'Authorization: Bearer <token>'"


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("Bearer", f"no token after 'Bearer': {EXPECTED}"),
        ("Bearer   ", f"no token after 'Bearer': {EXPECTED}"),
        ("Bearer grn_a grn_b", f"the token must not contain spaces: {EXPECTED}"),
        ("Token abc", f"unsupported authorization scheme 'Token': {EXPECTED}"),
        ("Basic YWxpY2U6cHc=", f"unsupported authorization scheme 'Basic': {EXPECTED}"),
        ("Bearer grn_é", f"malformed Authorization header: {EXPECTED}"),
        ("Bearer abc", "not a Greenroom API token"),
        ("Bearer grn_" + "x" * 43, "unknown API token"),
    ],
)
def test_refuses_malformed_or_unknown_credentials(client, header, message, settings):
    settings.API_ANONYMOUS_READ = True

    response = client.get(URL, HTTP_AUTHORIZATION=header)

    assert_authentication_error(response, "GET", message)


def test_refuses_revoked_token(client, alice):
    token, plain = issue_token(alice, "laptop")
    revoke_token(token)

    response = client.post(URL, **bearer(plain))

    assert_authentication_error(response, "POST", "this API token has been revoked")


def test_refuses_expired_token(client, alice):
    _, plain = issue_token(alice, "laptop", expires_at=timezone.now() - timedelta(minutes=1))

    response = client.post(URL, **bearer(plain))

    assert_authentication_error(response, "POST", "this API token has expired")


def test_refuses_token_of_inactive_user(client, alice):
    _, plain = issue_token(alice, "laptop")
    alice.is_active = False
    alice.save()

    response = client.post(URL, **bearer(plain))

    assert_authentication_error(response, "POST", "the user of this API token is inactive")


def test_records_last_use(client, alice):
    token, plain = issue_token(alice, "laptop")
    before = timezone.now()

    client.post(URL, **bearer(plain))

    assert ApiToken.objects.get(pk=token.pk).last_used_at >= before


def test_authenticated_request_costs_one_query_plus_last_use(client, alice, settings, django_assert_num_queries):
    settings.API_TOKEN_CACHE_SECONDS = 0
    _, plain = issue_token(alice, "laptop")

    with django_assert_num_queries(2):
        assert client.post(URL, **bearer(plain)).status_code == 200
    with django_assert_num_queries(1):
        assert client.post(URL, **bearer(plain)).status_code == 200


def test_token_reused_within_seconds_costs_no_query(client, alice, settings, django_assert_num_queries):
    settings.API_TOKEN_CACHE_SECONDS = 5
    _, plain = issue_token(alice, "laptop")
    assert client.post(URL, **bearer(plain)).status_code == 200

    with django_assert_num_queries(0):
        assert client.post(URL, **bearer(plain)).status_code == 200


def test_token_request_needs_no_csrf_token(alice):
    _, plain = issue_token(alice, "laptop")

    response = Client(enforce_csrf_checks=True).post(URL, **bearer(plain))

    assert response.status_code == 200

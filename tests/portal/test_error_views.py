"""A database outage answers a clear 503 (a page, or Backstage-shaped JSON); other errors stay 500."""

from __future__ import annotations

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client

from portal.error_views import DATABASE_UNAVAILABLE, RETRY_AFTER_SECONDS

pytestmark = pytest.mark.django_db


@pytest.fixture
def failing_client(settings) -> Client:
    """A client that gets what production answers: exceptions reach handler500, no debug page."""
    settings.DEBUG = False
    return Client(raise_request_exception=False)


def fail_with(monkeypatch, error: Exception) -> None:
    def broken(*args, **kwargs):
        raise error

    # Session loading is where most requests meet the database first.
    monkeypatch.setattr("django.contrib.sessions.backends.db.SessionStore.load", broken)
    monkeypatch.setattr("portal.views.HomeView.get", broken)


@pytest.mark.parametrize("error", [OperationalError("connection refused"), InterfaceError("connection already closed")])
def test_a_page_gets_a_503_page_without_the_error(failing_client, monkeypatch, error):
    fail_with(monkeypatch, error)

    response = failing_client.get("/", HTTP_COOKIE="sessionid=a1b2c3d4e5f6g7h8")

    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response["Content-Type"].startswith("text/html")
    text = response.content.decode()
    assert "Greenroom is temporarily unavailable" in text and DATABASE_UNAVAILABLE in text
    assert "connection refused" not in text and "<script" not in text


def test_an_api_call_gets_a_backstage_shaped_503(failing_client, monkeypatch):
    fail_with(monkeypatch, OperationalError("connection refused"))

    response = failing_client.get(
        "/api/catalog/entities?filter=kind=component", HTTP_COOKIE="sessionid=a1b2c3d4e5f6g7h8"
    )

    assert response.status_code == 503
    assert response.json() == {
        "error": {"name": "ServiceUnavailableError", "message": DATABASE_UNAVAILABLE},
        "request": {"method": "GET", "url": "/api/catalog/entities?filter=kind=component"},
        "response": {"statusCode": 503},
    }


def test_any_other_error_is_still_a_500(failing_client, monkeypatch):
    fail_with(monkeypatch, RuntimeError("a bug"))

    response = failing_client.get("/")

    assert response.status_code == 500
    assert "Retry-After" not in response

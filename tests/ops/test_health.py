"""/healthz and /readyz: cheap, unauthenticated, and a 503 naming the dependency that is down."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import pytest
from django.urls import reverse

from tests.ops.test_settings import REPO_ROOT, production_env

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_healthz_answers_without_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_reports_every_check_ok(client, django_assert_num_queries):
    # The database check, and the entity providers' summary in "details".
    with django_assert_num_queries(2):
        response = client.get(reverse("readyz"))

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["failed"] == []
    assert set(body["checks"]) == {"database", "broker", "techdocs_storage"}
    assert all(check["ok"] for check in body["checks"].values())


def test_readyz_needs_no_sign_in_even_when_https_redirects(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/readyz").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 301


def test_readyz_names_unwritable_techdocs_storage(client, settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the storage folder should be")
    settings.STORAGES = {
        **settings.STORAGES,
        "techdocs": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(blocker)}},
    }

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["techdocs_storage"]
    assert body["checks"]["techdocs_storage"] == {
        "ok": False,
        "error": "FileExistsError",
        "seconds": body["checks"]["techdocs_storage"]["seconds"],
    }
    assert body["checks"]["database"]["ok"] is True


def test_readyz_refuses_post(client):
    assert client.post("/readyz").status_code == 405


READYZ_SCRIPT = """
import django, json
django.setup()
from django.test import Client
response = Client().get("/readyz", HTTP_HOST="greenroom.example.com", secure=True)
print(json.dumps({"status": response.status_code, "body": json.loads(response.content)}))
"""


def readyz_in_process(env: dict[str, str]) -> dict:
    """GET /readyz in a fresh process configured by ``env`` (a broken URL cannot be undone in this one)."""
    result = subprocess.run(
        [sys.executable, "-c", READYZ_SCRIPT], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_readyz_names_unreachable_database(tmp_path):
    env = production_env(tmp_path, DATABASE_URL=f"postgres://greenroom:secret@127.0.0.1:{closed_port()}/greenroom")

    answer = readyz_in_process(env)

    assert answer["status"] == 503
    assert answer["body"]["status"] == "unavailable"
    assert answer["body"]["failed"] == ["database"]
    assert answer["body"]["checks"]["database"]["error"] == "OperationalError"
    # Host names and passwords stay in the log, never in the unauthenticated answer.
    assert "secret" not in json.dumps(answer)
    assert answer["body"]["checks"]["techdocs_storage"]["ok"] is True


def test_readyz_names_unreachable_broker(tmp_path):
    env = production_env(
        tmp_path,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0",
    )

    answer = readyz_in_process(env)

    assert answer["status"] == 503
    assert answer["body"]["failed"] == ["broker"]
    assert answer["body"]["checks"]["broker"]["error"] == "ConnectionError"
    assert answer["body"]["checks"]["database"]["ok"] is True


def test_readyz_checks_a_separate_cache_server(tmp_path):
    env = production_env(
        tmp_path,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        CELERY_BROKER_URL="filesystem://",
        REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0",
    )

    answer = readyz_in_process(env)

    assert answer["status"] == 503
    assert answer["body"]["failed"] == ["cache"]
    assert answer["body"]["checks"]["broker"]["ok"] is True

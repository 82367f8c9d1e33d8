"""Helpers for tests that start a real Celery worker process."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from django.db import connection


def local_targets_env(roots: Iterable[str | Path]) -> dict[str, str]:
    """Environment for a process that reads the test's local repositories, as tests/conftest.py sets."""
    return {"CATALOG_ALLOW_LOCAL_GIT": "true", "CATALOG_LOCAL_ROOTS": ",".join(str(root) for root in roots)}


def worker_database_url() -> str:
    """The test database as a ``DATABASE_URL`` a worker process can use (SQLite file or PostgreSQL)."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user = settings.get("USER") or "postgres"
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{settings['NAME']}"


def broker_unreachable(*args: object) -> None:
    """Stands in for ``task.delay`` while the broker is down: what Celery raises once its retries are spent."""
    from kombu.exceptions import OperationalError

    raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

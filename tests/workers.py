"""Helpers for tests that start a real Celery worker process."""

from __future__ import annotations

from django.db import connection


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

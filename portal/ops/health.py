"""Readiness checks: can this process serve requests right now?

Each check answers ``None`` when its dependency is reachable, or a short reason when it is not. The
reasons are safe to show unauthenticated callers (an exception class, never a host name or a password);
the full error is logged.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import connections

logger = logging.getLogger(__name__)

# A key no build writes: asking whether it exists is one cheap round trip (a HEAD on S3).
STORAGE_PROBE_NAME = ".greenroom-readyz"


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check: its name, whether it passed, why not, and how long it took."""

    name: str
    ok: bool
    error: str = ""
    seconds: float = 0.0


def check_database() -> None:
    """Open (or reuse) the default connection and run one trivial query."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_broker() -> None:
    """Reach the Celery broker: PING Redis, or find the file-system broker's folders."""
    url = settings.CELERY_BROKER_URL
    scheme = urlsplit(url).scheme
    timeout = settings.HEALTH_CHECK_TIMEOUT
    if scheme in {"redis", "rediss"}:
        ping_redis(url, timeout)
    elif scheme == "filesystem":
        folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
        if not folder.is_dir():
            raise FileNotFoundError("the file-system broker's queue folder is missing")
    else:
        from kombu import Connection

        with Connection(url, connect_timeout=timeout) as connection:
            connection.ensure_connection(max_retries=1, timeout=timeout)


def check_cache() -> None:
    """PING the Redis cache when it is a different server from the broker."""
    ping_redis(settings.REDIS_URL, settings.HEALTH_CHECK_TIMEOUT)


def ping_redis(url: str, timeout: float) -> None:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        client.ping()
    finally:
        client.close()


def check_techdocs_storage() -> None:
    """The built-sites storage answers: its folder exists and is writable, or the bucket replies."""
    storage = storages["techdocs"]
    if isinstance(storage, FileSystemStorage):
        root = Path(storage.location)
        root.mkdir(parents=True, exist_ok=True)
        probe = root / STORAGE_PROBE_NAME
        probe.write_bytes(b"")
        probe.unlink()
    else:
        storage.exists(STORAGE_PROBE_NAME)


def readiness_checks() -> dict[str, Callable[[], None]]:
    """The checks that apply to this configuration, by name."""
    checks: dict[str, Callable[[], None]] = {"database": check_database, "broker": check_broker}
    if settings.REDIS_URL and settings.REDIS_URL != settings.CELERY_BROKER_URL:
        checks["cache"] = check_cache
    checks["techdocs_storage"] = check_techdocs_storage
    return checks


def run_checks(checks: dict[str, Callable[[], None]] | None = None) -> list[CheckResult]:
    """Run every check, never raising: a failure becomes a result naming the exception class."""
    results = []
    for name, check in (checks or readiness_checks()).items():
        started = time.monotonic()
        try:
            check()
        except Exception as error:  # any failure means "not ready", whatever raised it
            logger.warning("readiness check %s failed: %s: %s", name, type(error).__name__, error)
            results.append(CheckResult(name, False, type(error).__name__, time.monotonic() - started))
        else:
            results.append(CheckResult(name, True, "", time.monotonic() - started))
    return results

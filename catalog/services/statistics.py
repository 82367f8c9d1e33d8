"""Planner statistics after large writes: the plans of catalog lists depend on them.

The list queries are fast because PostgreSQL knows how often each filter term occurs (ANALYZE's
element counts for ``catalog_entity.terms``). Autovacuum refreshes them eventually, but a first
import of 100,000 entities would be served with the defaults until then: 1 % of rows for every
filter, and the slow plan that guess picks. A refresh that wrote many rows therefore asks for an
ANALYZE of its own, as a separate job, so the refresh is visible without waiting for it.
"""

from __future__ import annotations

from django.db import connection

from portal.jobs import send_job

# Rows written by one refresh (added, changed, orphaned) from which statistics are refreshed.
ANALYZE_AFTER_ROWS = 1_000
TABLES = ("catalog_entity", "catalog_relation")


def analyze_after_large_write(rows_written: int) -> bool:
    """Queue the ``catalog.analyze`` job when a refresh wrote enough rows to move the statistics."""
    if connection.vendor != "postgresql" or rows_written < ANALYZE_AFTER_ROWS:
        return False
    send_job("catalog.analyze")
    return True


def refresh_planner_statistics() -> None:
    """ANALYZE the entity and relation tables (PostgreSQL; SQLite plans need nothing)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"ANALYZE {table}")

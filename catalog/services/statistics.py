"""Planner statistics after large writes: the plans of catalog lists depend on them.

The list queries are fast because PostgreSQL knows how often each filter term occurs (ANALYZE's
element counts for ``catalog_entity.terms``). Autovacuum refreshes them eventually, but a first
import of 100,000 entities would be served with the defaults until then: 1 % of rows for every
filter, and the slow plan that guess picks. A refresh that wrote many rows therefore asks for an
ANALYZE of its own, as a separate job, so the refresh is visible without waiting for it.

The job also VACUUMs (when it runs outside a transaction, as a worker's job does): a page of 50 is
read from an index alone only where the visibility map says the rows are visible to everyone, and
until a VACUUM sets it every row is fetched from the table as well (``Heap Fetches``), so an
``offset`` page at 13,800 entities took 25 ms instead of 1.3 ms.
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
    """VACUUM and ANALYZE the entity and relation tables (PostgreSQL; SQLite plans need nothing).

    VACUUM cannot run in a transaction: inside one (an eager job in a test's transaction) only
    ANALYZE runs.
    """
    if connection.vendor != "postgresql":
        return
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"{command} {table}")

"""Celery entry point for the search index: the catalog-wide etag sync, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from .indexing import sync_catalog


@shared_task(name="portal.search.sync_index")
def sync_index_task() -> dict[str, int]:
    """Bring the index in line with the catalog (after a large refresh, or on demand)."""
    report = sync_catalog()
    return {"indexed": report.indexed, "removed": report.removed, "unchanged": report.unchanged}

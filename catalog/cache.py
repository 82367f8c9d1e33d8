"""A catalog-wide version number: every write bumps it, so cached reads keyed on it never go stale.

Web processes and workers share it through Django's cache (Redis in production, a file cache in
the embedded default), so a refresh in a worker invalidates facet counts in every web process.
"""

from __future__ import annotations

from django.core.cache import cache

VERSION_KEY = "catalog:version"


def catalog_version() -> int:
    return int(cache.get(VERSION_KEY) or 0)


def bump_catalog_version() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        # Not set yet (or evicted): any fresh value differs from what cached reads were keyed on.
        cache.set(VERSION_KEY, catalog_version() + 1, timeout=None)

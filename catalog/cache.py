"""A catalog-wide version number: every write bumps it, so cached reads keyed on it never go stale.

Web processes and workers share it through Django's cache (Redis in production, a file cache in
the embedded default), so a refresh in a worker invalidates facet counts in every web process.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

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


COUNT_CACHE_SECONDS = 600


def cached_count(qs, state: dict[str, Any]) -> int:
    """The query's row count, cached until the catalog changes (counting 100,000 rows is not free).

    ``state`` must describe everything that shapes the query's rows (filters, order field, text).
    """
    query = {key: state.get(key) for key in ("filter", "predicate", "orderField", "fullText")}
    digest = hashlib.sha1(json.dumps(query, sort_keys=True, default=str).encode()).hexdigest()
    key = f"catalog:count:{catalog_version()}:{digest}"
    total = cache.get(key)
    if total is None:
        total = qs.count()
        cache.set(key, total, COUNT_CACHE_SECONDS)
    return total

"""A catalog-wide version number: every write bumps it, so cached reads keyed on it never go stale.

Web processes and workers share it through Django's cache (Redis in production, a file cache in
the embedded default), so a refresh in a worker invalidates facet counts in every web process.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any, TypeVar

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
Value = TypeVar("Value")


def cached_for_version(key: str, compute: Callable[[], Value], seconds: int) -> Value:
    """``compute()``, cached under ``key`` until the catalog changes, in one cache round trip.

    The entry holds the catalog version it was computed at and is read together with the
    current version (``get_many``), so a hot read asks the cache once instead of twice; an entry
    from an older version is recomputed. The version is read before computing: a write that
    lands meanwhile bumps it, and the next read recomputes.
    """
    found = cache.get_many([VERSION_KEY, key])
    version = int(found.get(VERSION_KEY) or 0)
    stored = found.get(key)
    if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == version:
        return stored[1]
    value = compute()
    cache.set(key, (version, value), seconds)
    return value


def cached_count(qs, state: dict[str, Any]) -> int:
    """The query's row count, cached until the catalog changes (counting 100,000 rows is not free).

    ``qs`` is the queryset, or a function of no arguments returning it (then built only when the
    count is not cached). ``state`` must describe everything that shapes the query's rows
    (filters, order field, text).
    """
    query = {key: state.get(key) for key in ("filter", "predicate", "orderField", "fullText")}
    digest = hashlib.sha1(json.dumps(query, sort_keys=True, default=str).encode()).hexdigest()
    count = (lambda: qs().count()) if callable(qs) else qs.count
    return cached_for_version(f"catalog:count:{digest}", count, COUNT_CACHE_SECONDS)

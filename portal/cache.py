"""A Redis cache that behaves as an empty cache while Redis is unreachable.

Everything Greenroom caches (facet counts, the catalog version, identity lookups, throttle counters)
can be recomputed from the database, so a Redis outage must not fail pages and API reads. While
Redis is down every read misses, every write is dropped and ``incr`` finds no key, exactly as in an
empty cache. After a failure Redis is left alone for ``RETRY_SECONDS``, so a page does not wait on
a dead server once per cache call, and the outage is logged once per process, not once per call.
Entries written before the outage come back with Redis (if it kept its data), so cached reads may
lag writes made during the outage by up to their own expiry.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5.0
Result = TypeVar("Result")


class ResilientRedisCacheClient(RedisCacheClient):
    """Django's Redis client, answering as an empty cache when Redis cannot be reached."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._down_until = 0.0
        self._lock = threading.Lock()

    def _guard(self, fallback: Callable[[], Result], call: Callable[[], Result]) -> Result:
        if time.monotonic() < self._down_until:
            return fallback()
        try:
            return call()
        except (self._lib.ConnectionError, self._lib.TimeoutError) as error:
            with self._lock:
                announce = time.monotonic() >= self._down_until
                self._down_until = time.monotonic() + RETRY_SECONDS
            if announce:
                logger.warning(
                    "cache unavailable (%s: %s); serving without it, trying again in %.0f s",
                    type(error).__name__,
                    error,
                    RETRY_SECONDS,
                )
            return fallback()

    def add(self, key, value, timeout):
        return self._guard(lambda: False, lambda: super(ResilientRedisCacheClient, self).add(key, value, timeout))

    def get(self, key, default):
        return self._guard(lambda: default, lambda: super(ResilientRedisCacheClient, self).get(key, default))

    def set(self, key, value, timeout):
        return self._guard(lambda: None, lambda: super(ResilientRedisCacheClient, self).set(key, value, timeout))

    def touch(self, key, timeout):
        return self._guard(lambda: False, lambda: super(ResilientRedisCacheClient, self).touch(key, timeout))

    def delete(self, key):
        return self._guard(lambda: False, lambda: super(ResilientRedisCacheClient, self).delete(key))

    def get_many(self, keys):
        return self._guard(dict, lambda: super(ResilientRedisCacheClient, self).get_many(keys))

    def has_key(self, key):
        return self._guard(lambda: False, lambda: super(ResilientRedisCacheClient, self).has_key(key))

    def incr(self, key, delta):
        def missing() -> int:
            raise ValueError(f"Key '{key}' not found (the cache is unavailable).")

        return self._guard(missing, lambda: super(ResilientRedisCacheClient, self).incr(key, delta))

    def set_many(self, data, timeout):
        return self._guard(lambda: None, lambda: super(ResilientRedisCacheClient, self).set_many(data, timeout))

    def delete_many(self, keys):
        return self._guard(lambda: None, lambda: super(ResilientRedisCacheClient, self).delete_many(keys))

    def clear(self):
        return self._guard(lambda: False, lambda: super(ResilientRedisCacheClient, self).clear())


class ResilientRedisCache(RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` on ``ResilientRedisCacheClient``."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = ResilientRedisCacheClient

"""The Redis cache answers as an empty cache while Redis is unreachable, and comes back with it."""

from __future__ import annotations

import logging
import socket

import pytest

from portal import cache as resilient
from portal.cache import ResilientRedisCache
from tests.ops.services import REDIS_SERVER, private_redis


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cache_at(url: str) -> ResilientRedisCache:
    return ResilientRedisCache(url, {"OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}})


def test_an_unreachable_redis_behaves_as_an_empty_cache():
    cache = cache_at(f"redis://127.0.0.1:{closed_port()}/0")

    assert cache.get("key", "default") == "default"
    assert cache.set("key", 1) is None
    assert cache.add("key", 1) is False
    assert cache.get_many(["key", "other"]) == {}
    assert cache.set_many({"key": 1}) == []
    assert cache.has_key("key") is False
    assert cache.touch("key") is False
    assert cache.delete("key") is False
    cache.delete_many(["key"])
    with pytest.raises(ValueError, match="not found"):
        cache.incr("key")


def test_the_outage_is_logged_once_not_once_per_call(caplog):
    cache = cache_at(f"redis://127.0.0.1:{closed_port()}/0")

    with caplog.at_level(logging.WARNING, logger="portal.cache"):
        for _ in range(5):
            cache.get("key")

    assert len(caplog.records) == 1
    assert caplog.messages[0].startswith("cache unavailable (ConnectionError: ")


@pytest.mark.skipif(not REDIS_SERVER, reason="needs redis-server to start a private Redis")
def test_works_again_once_redis_is_back(monkeypatch):
    monkeypatch.setattr(resilient, "RETRY_SECONDS", 0.0)
    with private_redis() as redis:
        cache = cache_at(redis.url())
        cache.set("kept", "before")
        redis.stop()
        assert cache.get("kept", "missing") == "missing"
        redis.start()

        cache.set("key", "after")

        assert cache.get("key") == "after"
        assert cache.add("counter", 1) is True
        assert cache.incr("counter") == 2

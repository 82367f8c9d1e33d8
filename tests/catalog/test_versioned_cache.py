"""Counts and facets cached per catalog version, read in one cache round trip."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.cache import cache

from catalog.cache import bump_catalog_version, cached_for_version


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_a_cached_value_is_read_with_the_version_in_one_call():
    computed = []
    assert cached_for_version("catalog:test:a", lambda: computed.append(1) or 41, 60) == 41
    never_written = AssertionError("a cached value is not written again")
    with (
        mock.patch.object(cache, "set", side_effect=never_written),
        mock.patch.object(cache, "get_many", wraps=cache.get_many) as get_many,
    ):
        assert cached_for_version("catalog:test:a", lambda: computed.append(1) or 99, 60) == 41
    get_many.assert_called_once_with(["catalog:version", "catalog:test:a"])
    assert computed == [1]


def test_a_catalog_write_makes_the_value_computed_again():
    assert cached_for_version("catalog:test:b", lambda: 1, 60) == 1
    bump_catalog_version()
    assert cached_for_version("catalog:test:b", lambda: 2, 60) == 2
    assert cached_for_version("catalog:test:b", lambda: 3, 60) == 2


def test_an_entry_in_an_older_shape_is_recomputed():
    cache.set("catalog:test:c", 17, 60)  # a bare value, as written before entries held their version
    assert cached_for_version("catalog:test:c", lambda: 5, 60) == 5


def test_a_falsy_value_is_cached_too():
    assert cached_for_version("catalog:test:d", lambda: 0, 60) == 0
    assert cached_for_version("catalog:test:d", lambda: 8, 60) == 0

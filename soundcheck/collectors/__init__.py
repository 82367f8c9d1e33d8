"""Fact collectors: each turns a batch of catalog entities into facts, without knowing the others.

A collector is a function ``(entities) -> list[FactRecord]`` registered under a name with
``register_collector``; ``collect_facts`` (``soundcheck.collection``) runs every registered
collector over the catalog in batches. The built-in ones are registered in ``SoundcheckConfig.ready``:
``catalog``, ``techdocs`` and ``techradar`` (when those apps are installed) and ``repository``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..facts import FactRecord

Collector = Callable[[Sequence[Any]], list[FactRecord]]

_COLLECTORS: dict[str, Collector] = {}


def register_collector(name: str, collector: Collector) -> None:
    """Add (or replace, by name) a collector."""
    _COLLECTORS[name] = collector


def collectors() -> dict[str, Collector]:
    return dict(sorted(_COLLECTORS.items()))


def register_builtin_collectors() -> None:
    from django.apps import apps

    from . import catalog, repository

    register_collector("catalog", catalog.collect)
    register_collector("repository", repository.collect)
    if apps.is_installed("techdocs"):
        from . import techdocs

        register_collector("techdocs", techdocs.collect)
    if apps.is_installed("techradar"):
        from . import techradar

        register_collector("techradar", techradar.collect)

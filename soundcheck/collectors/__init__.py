"""Soundcheck's own fact collectors: catalog and repository facts.

Every collector, these included, is registered through ``portal.registry.register_fact_collector``
and is a function ``(entities) -> list[FactRecord]``; ``collect_facts`` (``soundcheck.collection``)
runs every registered collector over the catalog in batches. TechDocs and the Tech Radar register
their own (``techdocs``, ``techradar``) from their ``AppConfig.ready``, as an outside plugin would.
"""

from __future__ import annotations

from portal.registry import register_fact_collector


def register_builtin_collectors() -> None:
    from . import catalog, repository

    register_fact_collector("catalog", catalog.collect)
    register_fact_collector("repository", repository.collect)

"""The Tech Radar's Soundcheck fact collector, registered as ``techradar`` through ``portal.registry``.

Read from the radar's cached Hold index (no query with the cache warm).

Facts: ``techradar.uses_hold`` (the entity uses a technology in a Hold ring, by tag or annotation)
and ``techradar.hold_entries`` (the keys of those entries).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from portal.registry import FactRecord

from .hold import hold_entries_for

NOT_USERS = ("user", "group", "location")


def collect(entities: Sequence[Any]) -> list[FactRecord]:
    """The Hold facts of a batch of entities (people, groups and locations use no technology)."""
    records = []
    for entity in entities:
        if entity.kind.lower() in NOT_USERS:
            continue
        keys = sorted({entry["key"] for entry in hold_entries_for(entity)})
        records.append(FactRecord(entity.ref, "techradar.uses_hold", bool(keys)))
        records.append(FactRecord(entity.ref, "techradar.hold_entries", keys))
    return records

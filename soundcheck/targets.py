"""Which entities Soundcheck's pages measure: tracks' and campaigns' entity filters on the catalog.

Filters are read as ``selection`` reads them (keys ``kind``, ``type``, ``lifecycle``, ``tags`` and
``owner``; values ORed, keys ANDed, case ignored); here they are applied to one loaded entity. The
entity page asks for every entity whether the Soundcheck tab applies, so the tracks' filters are read
once into the cache, under a version that every track write bumps (``ui_signals``): with the cache
warm, deciding costs no query.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache

from .models import Track
from .selection import FILTER_KEYS, EntityFilterError, normalize_entity_filter

VERSION_KEY = "soundcheck:tracks-version"
CACHE_SECONDS = 3600
# People, groups and locations are measured by nothing on their own page: teams have their own view.
UNMEASURED_KINDS = frozenset({"user", "group", "location"})


def tracks_version() -> int:
    return int(cache.get(VERSION_KEY) or 0)


def bump_tracks_version() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, tracks_version() + 1, timeout=None)


def track_filters() -> list[tuple[int, dict[str, Any]]]:
    """Every track's (id, entity filter), cached per tracks version."""
    key = f"soundcheck:track-filters:{tracks_version()}"
    filters = cache.get(key)
    if filters is None:
        filters = [(pk, entity_filter or {}) for pk, entity_filter in Track.objects.values_list("pk", "entity_filter")]
        cache.set(key, filters, CACHE_SECONDS)
    return filters


def filter_matches(entity_filter: Any, entity: Any) -> bool:
    """Whether a loaded entity (with ``output_relations``) matches ``entity_filter``; no query.

    The same reading as ``selection.entity_filter_q`` (the filter normalised by
    ``normalize_entity_filter``), applied to one entity in Python; a filter that cannot be used
    selects nothing. ``tests/soundcheck/test_selection.py`` checks that both agree.
    """
    try:
        wanted = normalize_entity_filter(entity_filter)
    except EntityFilterError:
        return False
    metadata = entity.body.get("metadata") or {}
    tags = metadata.get("tags") if isinstance(metadata.get("tags"), list) else []
    relations = getattr(entity, "output_relations", None) or []
    have = {
        "kind": {entity.kind.lower()},
        "type": {entity.spec_type.lower()},
        "lifecycle": {entity.lifecycle.lower()},
        "tags": {str(tag).lower() for tag in tags},
        "owner": {str(item["targetRef"]).lower() for item in relations if item.get("type") == "ownedBy"},
    }
    return all(not have[key].isdisjoint(values) for key, values in wanted.items())


def matching_track_ids(entity: Any) -> list[int]:
    """The tracks whose filter selects ``entity`` (none for people, groups and locations, nor for an
    object without a ref: a stand-in asking which tabs a kind gets)."""
    if not getattr(entity, "ref", None) or entity.kind.lower() in UNMEASURED_KINDS:
        return []
    return [pk for pk, entity_filter in track_filters() if filter_matches(entity_filter, entity)]


def has_soundcheck(entity: Any) -> bool:
    """The Soundcheck tab's ``applies_to``: some track measures the entity."""
    return bool(matching_track_ids(entity))


def describe_filter(entity_filter: Any) -> list[tuple[str, str]]:
    """The filter as (key, "a, b") pairs for pages; an empty list means every entity."""
    try:
        normalized = normalize_entity_filter(entity_filter)
    except EntityFilterError:
        return [("filter", "cannot be used (edit it in the admin)")]
    return [(key, ", ".join(normalized[key])) for key in FILTER_KEYS if key in normalized]

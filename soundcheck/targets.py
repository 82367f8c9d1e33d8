"""Which entities Soundcheck's pages measure: tracks' and campaigns' entity filters on the catalog.

Filters are read as ``selection`` reads them, into the catalog's filter clauses; here those clauses
are applied to one loaded entity (``catalog.filtering.entity_matcher``). The
entity page asks for every entity whether the Soundcheck tab applies, so the tracks' filters are read
once into the cache, under a version that every track write bumps (``ui_signals``): with the cache
warm, deciding costs no query.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache

from catalog.filtering import entity_matcher

from .models import Track
from .selection import FILTER_KEYS, EntityFilterError, normalize_entity_filter, selection_clauses

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

    The clauses ``selection.entity_filter_q`` compiles to SQL, read against one entity; a filter
    that cannot be used selects nothing. ``tests/soundcheck/test_selection.py`` checks that both agree.
    """
    try:
        clauses = selection_clauses(entity_filter)
    except EntityFilterError:
        return False
    return entity_matcher(entity)(clauses)


def matching_track_ids(entity: Any) -> list[int]:
    """The tracks whose filter selects ``entity`` (none for people, groups and locations, nor for an
    object without a ref: a stand-in asking which tabs a kind gets)."""
    if not getattr(entity, "ref", None) or entity.kind.lower() in UNMEASURED_KINDS:
        return []
    filters = track_filters()
    if not filters:
        return []
    matches = entity_matcher(entity)
    selected = []
    for pk, entity_filter in filters:
        try:
            clauses = selection_clauses(entity_filter)
        except EntityFilterError:
            continue
        if matches(clauses):
            selected.append(pk)
    return selected


def has_soundcheck(entity: Any) -> bool:
    """The Soundcheck tab's ``applies_to``: some track measures the entity."""
    return bool(matching_track_ids(entity))


def describe_filter(entity_filter: Any) -> list[tuple[str, str]]:
    """The filter as (key, "a, b") pairs for pages; an empty list means every entity."""
    try:
        normalized = normalize_entity_filter(entity_filter)
    except EntityFilterError:
        return [("filter", "cannot be used (edit it in the admin)")]
    # Expressions hold commas (their ANDs), so they are listed with "or", which is how they combine.
    return [
        (key, (" or " if key == "filter" else ", ").join(normalized[key])) for key in FILTER_KEYS if key in normalized
    ]

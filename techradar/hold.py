"""The Hold warning on entity pages: which Hold technologies an entity uses, answered from a cache.

The entity page asks for every entity, so the answer must be cheap: the Hold entries of every radar
are read once into a dict keyed by tag, cached under a version that every radar write bumps
(``signals``). With the cache warm, deciding whether to show the card costs no query; the entity's
tags and annotations come from the body the page already loaded.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache

from .models import RadarEntry
from .usage import entity_terms_of, entry_terms

VERSION_KEY = "techradar:version"
CACHE_SECONDS = 3600


def radar_version() -> int:
    return int(cache.get(VERSION_KEY) or 0)


def bump_radar_version() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, radar_version() + 1, timeout=None)


def hold_index() -> dict[str, list[dict[str, str]]]:
    """Tag -> the Hold entries it means (radar, key, title, URL, latest reason); cached per radar version."""
    key = f"techradar:hold:{radar_version()}"
    index = cache.get(key)
    if index is None:
        index = {}
        entries = RadarEntry.objects.in_hold().select_related("radar").order_by("radar__slug", "title")
        for entry in entries:
            item = {
                "radar": entry.radar.title,
                "key": entry.key,
                "title": entry.title,
                "url": entry.get_absolute_url(),
            }
            for term in entry_terms(entry.key, entry.title):
                index.setdefault(term, []).append(item)
        cache.set(key, index, CACHE_SECONDS)
    return index


def hold_entries_for(entity: Any) -> list[dict[str, str]]:
    """The Hold entries ``entity`` uses, each once, in a stable order."""
    index = hold_index()
    if not index:
        return []
    found: dict[tuple[str, str], dict[str, str]] = {}
    for term in sorted(entity_terms_of(entity)):
        for item in index.get(term, ()):
            found.setdefault((item["radar"], item["key"]), item)
    return [found[pair] for pair in sorted(found)]


def uses_hold_technology(entity: Any) -> bool:
    """The card's ``applies_to``: only entities (not people or groups) that use a Hold entry."""
    return entity.kind not in ("User", "Group", "Location") and bool(hold_entries_for(entity))


def hold_card_context(request, entity: Any) -> dict[str, Any]:
    return {"entries": hold_entries_for(entity)}

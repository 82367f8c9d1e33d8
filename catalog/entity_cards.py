"""Context for the overview's cards: about, links, subcomponents, APIs, parts, owner and history.

Each function takes ``(request, entity)`` and returns the dict its card template sees as ``data``.
Related entities come from ``lookups.related``, one batched query shared by every card.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from portal.links import reverse_or_empty

from .contact_links import link_url
from .formats.safe_urls import location_url
from .lookups.history import diff_bodies, history_page
from .lookups.ownership import cached_owner_lookup
from .lookups.related import related
from .models import Entity

SOURCE_ANNOTATIONS = (
    ("View source", "backstage.io/view-url"),
    ("Source location", "backstage.io/source-location"),
    ("Edit", "backstage.io/edit-url"),
)
TECHDOCS_ANNOTATION = "backstage.io/techdocs-ref"
# The URL a documentation app names for an entity's docs; without such an app, no docs link.
TECHDOCS_URL_NAME = "techdocs:entity_docs"
HISTORY_SHOWN = 20
LOOKUP_ATTRIBUTE = "_owner_lookup"
# Link icon names used in catalog files (Backstage's set), shown as a small symbol beside the title.
LINK_ICONS = {
    "dashboard": "▦",
    "help": "?",
    "docs": "📄",
    "web": "🌐",
    "chat": "💬",
    "email": "✉",
    "github": "⌥",
    "group": "👥",
    "user": "👤",
    "alert": "⚠",
    "warning": "⚠",
    "catalog": "☰",
}


def has_relation(relation_type: str, kind: str = ""):
    """An ``applies_to`` predicate: the entity has a relation of this type (to an entity of ``kind``)."""
    prefix = f"{kind.lower()}:"

    def applies(entity: Any) -> bool:
        return any(
            item["type"] == relation_type and item["targetRef"].startswith(prefix if kind else "")
            for item in entity.output_relations
        )

    return applies


def of_kinds(*kinds: str, relation_type: str = ""):
    """An ``applies_to`` predicate: the entity is of one of ``kinds`` (and has ``relation_type``)."""

    def applies(entity: Any) -> bool:
        if entity.kind not in kinds:
            return False
        return not relation_type or has_relation(relation_type)(entity)

    return applies


def not_of_kinds(*kinds: str):
    def applies(entity: Any) -> bool:
        return entity.kind not in kinds

    return applies


def source_links(annotations: dict[str, Any]) -> list[dict[str, str]]:
    """View/edit/source links from the SCM annotations; unsafe or duplicate URLs are left out."""
    links, seen = [], set()
    for label, key in SOURCE_ANNOTATIONS:
        url = location_url(annotations.get(key))
        if url and url not in seen:
            seen.add(url)
            links.append({"label": label, "url": url})
    return links


def docs_url(entity: Entity) -> str:
    """The entity's documentation page, when it has docs and an app serves them."""
    return reverse_or_empty(TECHDOCS_URL_NAME, entity.namespace, entity.kind.lower(), entity.name)


def about_context(request: HttpRequest, entity: Entity) -> dict[str, Any]:
    metadata = entity.body.get("metadata") or {}
    annotations = metadata.get("annotations") or {}
    has_docs = bool(annotations.get(TECHDOCS_ANNOTATION))
    return {
        "description": metadata.get("description") or "",
        "owners": related(entity, "ownedBy"),
        "systems": related(entity, "partOf", kind="system"),
        "domains": related(entity, "partOf", kind="domain"),
        "parent_components": related(entity, "partOf", kind="component"),
        "source_links": source_links(annotations),
        "has_docs": has_docs,
        "docs_url": docs_url(entity) if has_docs else "",
    }


def links_context(request: HttpRequest, entity: Entity) -> dict[str, Any]:
    links = []
    for link in (entity.body.get("metadata") or {}).get("links") or []:
        if not isinstance(link, dict):
            continue
        url = link_url(link.get("url"))
        icon = str(link.get("icon") or "")
        links.append(
            {
                "url": url,
                "text": str(link.get("url") or ""),
                "title": str(link.get("title") or link.get("url") or ""),
                "icon": icon,
                "symbol": LINK_ICONS.get(icon, "↗"),
            }
        )
    return {"links": links}


def related_context(relation_type: str, kind: str = ""):
    """A card context listing the related entities of one relation type (and target kind)."""

    def context(request: HttpRequest, entity: Entity) -> dict[str, Any]:
        return {"related": related(entity, relation_type, kind)}

    return context


def parts_context(request: HttpRequest, entity: Entity) -> dict[str, Any]:
    """A system's or domain's parts, grouped by kind (components, APIs, resources; or systems)."""
    parts = related(entity, "hasPart")
    groups: dict[str, list] = {}
    for item in parts.items:
        groups.setdefault(item.kind or "Unknown", []).append(item)
    order = {"Component": 0, "API": 1, "Resource": 2, "System": 3, "Domain": 4}
    return {
        "related": parts,
        "groups": sorted(groups.items(), key=lambda pair: (order.get(pair[0], 9), pair[0])),
    }


def lookup_of(entity: Entity) -> dict[str, Any]:
    """The owner lookup, computed once per page even when two cards show parts of it."""
    lookup = getattr(entity, LOOKUP_ATTRIBUTE, None)
    if lookup is None:
        lookup = cached_owner_lookup(entity, limit=100)
        setattr(entity, LOOKUP_ATTRIBUTE, lookup)
    return lookup


def owner_context(request: HttpRequest, entity: Entity) -> dict[str, Any]:
    return {"lookup": lookup_of(entity)}


def history_context(request: HttpRequest, entity: Entity) -> dict[str, Any]:
    return {"history": history_with_diffs(entity.ref)}


def history_with_diffs(ref: str) -> list[dict[str, Any]]:
    """The entity's latest versions, newest first, each with its changes against the one before."""
    versions, _ = history_page(ref, limit=HISTORY_SHOWN + 1)
    rows = []
    for index, version in enumerate(versions[:HISTORY_SHOWN]):
        previous = versions[index + 1] if index + 1 < len(versions) else None
        changes = diff_bodies(previous.body, version.body) if previous is not None else []
        rows.append({"version": version, "changes": changes})
    return rows


def has_links(entity: Any) -> bool:
    return bool((entity.body.get("metadata") or {}).get("links"))


def has_any_relation(entity: Any) -> bool:
    return bool(entity.output_relations)

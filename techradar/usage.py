"""Which catalog entities use which radar technologies, and who owns them.

An entity uses an entry when one of its tags equals the entry's key or its title in lowercase
(``TECH_RADAR["MATCH_TAGS"]``), or when the ``TECH_RADAR["ANNOTATION"]`` annotation lists the
entry's key (``greenroom.io/tech-radar: kafka,spring-boot``). Users, groups and locations never
"use" a technology. Reads go through the catalog's querysets: one query for any number of entries.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models.fields.json import KT

from catalog.entity_urls import entity_ref_url
from catalog.formats.filter_syntax import Condition
from catalog.models import Entity

NOT_USERS_OF_TECHNOLOGY = ("User", "Group", "Location")
USAGE_LIMIT = 500


@dataclass(frozen=True)
class TechnologyUser:
    """An entity that uses a technology, with its owner (first ``ownedBy`` target) for the list."""

    ref: str
    kind: str
    namespace: str
    name: str
    title: str
    owner_ref: str | None

    @property
    def url(self) -> str:
        return _entity_url(self.ref)

    @property
    def owner_url(self) -> str:
        return _entity_url(self.owner_ref) if self.owner_ref else ""

    @property
    def owner_name(self) -> str:
        return self.owner_ref.partition("/")[2] if self.owner_ref else ""


def _entity_url(ref: str) -> str:
    return entity_ref_url(ref)


def annotation_key() -> str:
    return settings.TECH_RADAR["ANNOTATION"]


def entry_terms(key: str, title: str) -> set[str]:
    """The tags that mean this entry: its key, and its title when that is a valid tag, in lowercase."""
    terms = {key.lower()}
    if settings.TECH_RADAR["MATCH_TAGS"] and title and " " not in title.strip():
        terms.add(title.strip().lower())
    return terms


def entity_terms(tags: Iterable[Any] | None, annotation: Any) -> set[str]:
    """What an entity says it uses: its tags (when tag matching is on) and the annotation's keys."""
    terms: set[str] = set()
    if settings.TECH_RADAR["MATCH_TAGS"] and isinstance(tags, list):
        terms.update(tag.lower() for tag in tags if isinstance(tag, str))
    if isinstance(annotation, str):
        terms.update(part.strip().lower() for part in annotation.split(",") if part.strip())
    return terms


def entity_terms_of(entity: Entity) -> set[str]:
    metadata = entity.body.get("metadata", {}) if isinstance(entity.body, dict) else {}
    annotations = metadata.get("annotations") if isinstance(metadata.get("annotations"), dict) else {}
    return entity_terms(metadata.get("tags"), annotations.get(annotation_key()))


def users_of(entries: Iterable[Any]) -> dict[Any, list[TechnologyUser]]:
    """For each entry (anything with ``pk``, ``key`` and ``title``), the entities using it; one query."""
    entries = list(entries)
    terms_of = {entry.pk: entry_terms(entry.key, entry.title) for entry in entries}
    every_term = tuple(sorted(set().union(*terms_of.values()))) if terms_of else ()
    if not every_term:
        return {}
    clauses = [(Condition(f"metadata.annotations.{annotation_key().lower()}", None),)]
    if settings.TECH_RADAR["MATCH_TAGS"]:
        clauses.append((Condition("metadata.tags", every_term),))
    rows = (
        Entity.objects.matching(clauses)
        .exclude(kind__in=NOT_USERS_OF_TECHNOLOGY)
        .with_owner_ref()
        .annotate(
            tags=KT("body__metadata__tags"),
            radar_annotation=KT(f"body__metadata__annotations__{annotation_key()}"),
        )
        .order_by("name", "ref")
        .values_list("ref", "kind", "namespace", "name", "title", "owner_ref", "tags", "radar_annotation")[:USAGE_LIMIT]
    )
    found: dict[Any, list[TechnologyUser]] = {entry.pk: [] for entry in entries}
    for ref, kind, namespace, name, title, owner, tags, annotation in rows:
        used = entity_terms(_as_list(tags), annotation)
        user = TechnologyUser(ref, kind, namespace, name, title or name, owner)
        for entry in entries:
            if used & terms_of[entry.pk]:
                found[entry.pk].append(user)
    return found


def _as_list(value: Any) -> list | None:
    """KT gives text on PostgreSQL and decoded JSON text on SQLite; either way, a list back."""
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        try:
            decoded = json.loads(value)
        except ValueError:
            return None
        return decoded if isinstance(decoded, list) else None
    return None

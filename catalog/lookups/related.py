"""The entities an entity page names (its owner, APIs, parts, members), loaded in one query.

Cards ask for the related entities of one relation type; the first ask loads every type's targets
at once and keeps them on the entity object, so the page's query count does not depend on how
many cards there are or how many entities they list. Each type is capped (a group may own
thousands of entities): cards show the first ``RELATED_CAP`` and say how many there are in all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models.fields.json import KT

from ..formats.refs import InvalidEntityRef, parse_entity_ref
from ..models import Entity
from ..querysets import owner_refs

RELATED_CAP = 50
_CACHE_ATTRIBUTE = "_related_entities"


@dataclass(frozen=True)
class RelatedEntity:
    """What a card shows of a related entity; ``exists`` is False for a target not in the catalog."""

    ref: str
    kind: str
    name: str
    title: str = ""
    type: str = ""
    lifecycle: str = ""
    description: str = ""
    owner_ref: str = ""
    email: str = ""
    exists: bool = True

    @property
    def display_title(self) -> str:
        return self.title or self.name


@dataclass(frozen=True)
class RelatedList:
    """Up to ``RELATED_CAP`` related entities of one relation type, and how many there are in all."""

    items: list[RelatedEntity]
    total: int

    @property
    def truncated(self) -> bool:
        return self.total > len(self.items)


def relation_targets(entity: Any, relation_type: str) -> list[str]:
    """The entity's targets of one relation type, sorted (relations are stitched in that order)."""
    return sorted(item["targetRef"] for item in entity.output_relations if item["type"] == relation_type)


def related(entity: Any, relation_type: str, kind: str = "") -> RelatedList:
    """The related entities of ``relation_type`` (only those of ``kind``, if given), from the page's
    one batched load."""
    loaded = _load(entity)
    targets = relation_targets(entity, relation_type)
    if kind:
        targets = [ref for ref in targets if ref.startswith(f"{kind.lower()}:")]
    return RelatedList([loaded[ref] for ref in targets[:RELATED_CAP]], len(targets))


def _load(entity: Any) -> dict[str, RelatedEntity]:
    cached = getattr(entity, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    by_type: dict[tuple[str, str], list[str]] = {}
    for item in entity.output_relations:
        # Capped per relation type and target kind, so a card showing one kind gets its first ones.
        by_type.setdefault((item["type"], item["targetRef"].split(":", 1)[0]), []).append(item["targetRef"])
    wanted = {ref for targets in by_type.values() for ref in sorted(targets)[:RELATED_CAP]}
    loaded = {ref: _missing(ref) for ref in wanted}
    if wanted:
        # Plain columns and two body fields only: an API's body carries its whole definition.
        rows = (
            Entity.objects.filter(ref__in=wanted)
            .select_related("stitched")
            .only("ref", "kind", "namespace", "name", "title", "spec_type", "lifecycle", "stitched__relations")
            .annotate(description=KT("body__metadata__description"), email=KT("body__spec__profile__email"))
        )
        for row in rows:
            owners = owner_refs(row)
            loaded[row.ref] = RelatedEntity(
                ref=row.ref,
                kind=row.kind,
                name=row.name,
                title=row.title,
                type=row.spec_type,
                lifecycle=row.lifecycle,
                description=row.description or "",
                owner_ref=owners[0] if owners else "",
                email=row.email or "",
            )
    setattr(entity, _CACHE_ATTRIBUTE, loaded)
    return loaded


def _missing(ref: str) -> RelatedEntity:
    try:
        parsed = parse_entity_ref(ref)
    except InvalidEntityRef:
        return RelatedEntity(ref=ref, kind="", name=ref, exists=False)
    return RelatedEntity(ref=ref, kind=parsed.kind, name=parsed.name, exists=False)

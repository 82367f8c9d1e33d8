"""Template entities as the Create page lists them: filters from the URL, cards, golden paths.

Templates are ordinary catalog entities of kind ``Template``; reads go through the catalog's
querysets. A template is a *golden path* (the recommended way to start something) when it is tagged
``golden-path`` or annotated ``greenroom.io/golden-path: "true"``; golden paths are listed first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

from catalog.formats.filter_syntax import Condition
from catalog.formats.refs import InvalidEntityRef, parse_entity_ref
from catalog.models import Entity

TEMPLATE_KIND = "Template"
GOLDEN_PATH_TAG = "golden-path"
GOLDEN_PATH_ANNOTATION = "greenroom.io/golden-path"
_TEXT_KEYS = ["metadata.name", "metadata.title", "metadata.description"]


def template_queryset():
    return Entity.objects.filter(kind=TEMPLATE_KIND).for_output()


def get_template(namespace: str, name: str) -> Entity | None:
    """The Template entity ``template:<namespace>/<name>`` (case-insensitive), or None."""
    return template_queryset().by_ref(f"template:{namespace}/{name}").first()


def is_golden_path(body: dict[str, Any]) -> bool:
    metadata = body.get("metadata") or {}
    tags = metadata.get("tags") or []
    annotations = metadata.get("annotations") or {}
    return GOLDEN_PATH_TAG in tags or str(annotations.get(GOLDEN_PATH_ANNOTATION, "")).lower() == "true"


@dataclass(frozen=True)
class TemplateFilters:
    """The Create page's filters, read from the query string: text, types, tags and owners."""

    text: str = ""
    types: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()

    @classmethod
    def from_query(cls, query: QueryDict) -> TemplateFilters:
        def values(key: str) -> tuple[str, ...]:
            return tuple(dict.fromkeys(value.strip().lower() for value in query.getlist(key) if value.strip()))

        return cls(
            text=query.get("q", "").strip()[:200], types=values("type"), tags=values("tag"), owners=values("owner")
        )

    def apply(self, qs):
        if self.text:
            qs = qs.full_text(self.text, _TEXT_KEYS)
        if self.types:
            qs = qs.filter(spec_type__in=self.types)
        if self.tags:
            qs = qs.matching([(Condition("metadata.tags", self.tags),)])
        if self.owners:
            qs = qs.matching([(Condition("relations.ownedby", self.owners),)])
        return qs

    def is_active(self) -> bool:
        return bool(self.text or self.types or self.tags or self.owners)


@dataclass
class TemplateCard:
    """What one card shows, read from the entity's body."""

    entity: Entity
    title: str
    description: str
    owner: str
    type: str
    tags: list[str]
    golden_path: bool
    form_url: str = ""


@dataclass
class Facets:
    """The values each filter offers, taken from every template (not only the matching ones)."""

    types: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    owners: list[str] = field(default_factory=list)


def card_of(entity: Entity) -> TemplateCard:
    from portal.links import reverse_or_empty

    body = entity.body
    metadata, spec = body.get("metadata") or {}, body.get("spec") or {}
    return TemplateCard(
        entity=entity,
        title=str(metadata.get("title") or entity.name),
        description=str(metadata.get("description") or ""),
        owner=_owner_ref(spec.get("owner"), entity.namespace) or str(spec.get("owner") or ""),
        type=str(spec.get("type") or ""),
        tags=[str(tag) for tag in metadata.get("tags") or []],
        golden_path=is_golden_path(body),
        form_url=reverse_or_empty("scaffolder:template_form", entity.namespace, entity.name),
    )


def template_cards(filters: TemplateFilters) -> tuple[list[TemplateCard], Facets]:
    """Matching templates as cards, golden paths first, and the filters' options: two queries."""
    cards = sorted(
        (card_of(entity) for entity in filters.apply(template_queryset())),
        key=lambda card: (not card.golden_path, card.title.lower(), card.entity.ref),
    )
    return cards, facets()


def facets() -> Facets:
    types, tags, owners = set(), set(), set()
    for spec_type, body in template_queryset().values_list("spec_type", "body"):
        if spec_type:
            types.add(spec_type)
        metadata, spec = body.get("metadata") or {}, body.get("spec") or {}
        tags.update(str(tag).lower() for tag in metadata.get("tags") or [])
        owner = _owner_ref(spec.get("owner"), metadata.get("namespace") or "default")
        if owner:
            owners.add(owner)
    return Facets(types=sorted(types), tags=sorted(tags), owners=sorted(owners))


def _owner_ref(owner: Any, namespace: str) -> str:
    """``spec.owner`` as the full lowercase ref its ownedBy relation carries (kind Group by default)."""
    if not isinstance(owner, str) or not owner:
        return ""
    try:
        return str(parse_entity_ref(owner, default_kind="Group", default_namespace=namespace)).lower()
    except InvalidEntityRef:
        return ""

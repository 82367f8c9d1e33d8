"""Built-in relations: which spec fields emit which relation.

Each reference in a relation field yields one stored row, ``self -forward-> target``; the reverse
(``target -reverse-> self``, e.g. ``ownerOf`` for ``ownedBy``) is derived when relations are read,
so the catalog stores half as many rows as it serves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .refs import InvalidEntityRef, entity_ref_of, parse_entity_ref

RELATION_PAIRS: dict[str, str] = {
    "ownedBy": "ownerOf",
    "partOf": "hasPart",
    "providesApi": "apiProvidedBy",
    "consumesApi": "apiConsumedBy",
    "dependsOn": "dependencyOf",
    "memberOf": "hasMember",
    "childOf": "parentOf",
}
# The direction a relation is drawn in (the component is ``ownedBy`` its group, not the reverse).
FORWARD_RELATIONS = frozenset(RELATION_PAIRS)
RELATION_PAIRS.update({reverse: forward for forward, reverse in list(RELATION_PAIRS.items())})


@dataclass(frozen=True, slots=True)
class RelationField:
    """One spec field that emits a relation: its default target kind and forward relation type."""

    field: str
    default_kind: str | None
    relation: str
    many: bool = False


_OWNER = RelationField("owner", "Group", "ownedBy")
_SYSTEM = RelationField("system", "System", "partOf")
_DEPENDS_ON = RelationField("dependsOn", None, "dependsOn", many=True)
_DEPENDENCY_OF = RelationField("dependencyOf", None, "dependencyOf", many=True)

RELATION_FIELDS: dict[str, tuple[RelationField, ...]] = {
    "component": (
        _OWNER,
        _SYSTEM,
        RelationField("subcomponentOf", "Component", "partOf"),
        RelationField("providesApis", "API", "providesApi", many=True),
        RelationField("consumesApis", "API", "consumesApi", many=True),
        _DEPENDS_ON,
        _DEPENDENCY_OF,
    ),
    "api": (_OWNER, _SYSTEM),
    "resource": (_OWNER, _SYSTEM, _DEPENDS_ON, _DEPENDENCY_OF),
    "system": (_OWNER, RelationField("domain", "Domain", "partOf")),
    "domain": (_OWNER, RelationField("subdomainOf", "Domain", "partOf")),
    "group": (
        RelationField("parent", "Group", "childOf"),
        RelationField("children", "Group", "parentOf", many=True),
        RelationField("members", "User", "hasMember", many=True),
    ),
    "user": (RelationField("memberOf", "Group", "memberOf", many=True),),
    "airesource": (_OWNER, _SYSTEM, _DEPENDS_ON),
    "template": (_OWNER,),
}

# Fields whose string lists are stored sorted, as Backstage's processor sorts them.
SORTED_SPEC_FIELDS = (
    "providesApis",
    "consumesApis",
    "dependsOn",
    "dependencyOf",
    "memberOf",
    "children",
    "members",
)


class RelationFieldError(ValueError):
    """A relation field holds a reference that cannot be parsed."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def emitted_relations(entity: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Every ``(source_ref, type, target_ref)`` row the entity emits (forward direction only).

    Raises ``RelationFieldError`` naming the spec field when a reference cannot be parsed.
    """
    fields = RELATION_FIELDS.get(str(entity.get("kind", "")).lower(), ())
    spec = entity.get("spec") or {}
    if not fields or not isinstance(spec, dict):
        return []
    self_ref = entity_ref_of(entity)
    namespace = (entity.get("metadata") or {}).get("namespace") or "default"
    rows: list[tuple[str, str, str]] = []
    seen: set[tuple[str, str, str]] = set()
    for relation_field in fields:
        value = spec.get(relation_field.field)
        if value is None:
            continue
        values = value if relation_field.many and isinstance(value, list) else [value]
        for index, item in enumerate(values):
            path = f"spec.{relation_field.field}" + (f"[{index}]" if relation_field.many else "")
            try:
                target = str(
                    parse_entity_ref(item, default_kind=relation_field.default_kind, default_namespace=namespace)
                )
            except InvalidEntityRef as error:
                raise RelationFieldError(path, str(error)) from None
            row = (self_ref, relation_field.relation, target)
            if row not in seen:
                seen.add(row)
                rows.append(row)
    return rows


def both_directions(row: tuple[str, str, str]) -> tuple[tuple[str, str, str], tuple[str, str, str]]:
    """A stored row and the reverse row it implies."""
    source, relation, target = row
    return row, (target, RELATION_PAIRS[relation], source)

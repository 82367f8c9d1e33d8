"""Catalog-backed field extensions: OwnerPicker and EntityPicker choices and the values they accept.

``catalogFilter`` has Backstage's shape: one object or a list of objects (ORed), each mapping a
field path to a value, a list of values, or ``{exists: true}``. ``allowedKinds`` (older) narrows
the kind. A picker's value is the chosen entity's ref (``group:default/team-a``). Unlike Backstage,
a value that is not in the catalog is refused unless ``allowArbitraryValues: true``: an owner or
system that does not exist would leave the new component an orphan.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from catalog.filters import Condition, FilterClause
from catalog.models import Entity
from catalog.refs import InvalidEntityRef, parse_entity_ref

from .field_rules import ui_options

PICKER_FIELDS = frozenset({"OwnerPicker", "EntityPicker"})
OWNER_KINDS = ("Group", "User")
# Up to this many choices a picker is a plain <select>; beyond it, a text input with suggestions.
SELECT_LIMIT = 50
SUGGESTION_LIMIT = 20


@dataclass(frozen=True)
class PickerChoice:
    value: str
    label: str


def is_picker(ui: dict[str, Any]) -> bool:
    return ui.get("ui:field") in PICKER_FIELDS


def allows_arbitrary_values(ui: dict[str, Any]) -> bool:
    return ui_options(ui).get("allowArbitraryValues") is True


def picker_clauses(ui: dict[str, Any]) -> list[FilterClause]:
    """The picker's ``catalogFilter`` / ``allowedKinds`` as catalog filter clauses."""
    options = ui_options(ui)
    raw = options.get("catalogFilter")
    filters = raw if isinstance(raw, list) else [raw] if isinstance(raw, dict) else []
    clauses = [clause for clause in (_clause(item) for item in filters if isinstance(item, dict)) if clause]
    kinds = options.get("allowedKinds")
    if isinstance(kinds, list) and kinds:
        kind_condition = Condition("kind", tuple(str(kind).lower() for kind in kinds))
        clauses = [(*clause, kind_condition) for clause in clauses] or [(kind_condition,)]
    if not clauses and ui.get("ui:field") == "OwnerPicker":
        clauses = [(Condition("kind", tuple(kind.lower() for kind in OWNER_KINDS)),)]
    return clauses


def _clause(item: dict[str, Any]) -> FilterClause:
    conditions = []
    for key, expected in item.items():
        if isinstance(expected, dict) and expected.get("exists") is True:
            conditions.append(Condition(str(key).lower(), None))
        elif isinstance(expected, list):
            conditions.append(Condition(str(key).lower(), tuple(str(value).lower() for value in expected)))
        elif isinstance(expected, str | int | float | bool):
            conditions.append(Condition(str(key).lower(), (str(expected).lower(),)))
    return tuple(conditions)


def picker_queryset(ui: dict[str, Any]):
    return Entity.objects.matching(picker_clauses(ui)).order_by("ref").only("ref", "kind", "namespace", "name", "title")


def picker_choices(ui: dict[str, Any], text: str = "", limit: int = SELECT_LIMIT + 1) -> list[PickerChoice]:
    """Entities the picker offers (matching ``text`` in ref or title), at most ``limit``."""
    qs = picker_queryset(ui)
    if text:
        qs = qs.filter(Q(ref__icontains=text) | Q(title__icontains=text))
    return [PickerChoice(entity.ref, _label(entity, ui)) for entity in qs[:limit]]


def _label(entity: Entity, ui: dict[str, Any]) -> str:
    options = ui_options(ui)
    short = entity.ref
    if str(options.get("defaultKind", "")).lower() == entity.kind.lower():
        short = short.split(":", 1)[1]
        if str(options.get("defaultNamespace") or "default").lower() == entity.namespace.lower():
            short = short.split("/", 1)[1]
    return f"{entity.title} ({short})" if entity.title and entity.title != entity.name else short


def normalise_picker_value(value: str, ui: dict[str, Any]) -> str:
    """A typed ref completed with ``defaultKind``/``defaultNamespace`` (OwnerPicker defaults to Group)."""
    options = ui_options(ui)
    default_kind = options.get("defaultKind") or ("Group" if ui.get("ui:field") == "OwnerPicker" else None)
    try:
        return str(
            parse_entity_ref(
                value.strip(), default_kind=default_kind, default_namespace=options.get("defaultNamespace")
            )
        )
    except InvalidEntityRef:
        return value.strip()


def check_picker_value(value: Any, ui: dict[str, Any]) -> str | None:
    """The message for a picker value the catalog does not offer, or None (one query)."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        return "must be an entity reference"
    try:
        parse_entity_ref(value)
    except InvalidEntityRef:
        return "must be an entity reference such as kind:namespace/name"
    if allows_arbitrary_values(ui):
        return None
    if not picker_queryset(ui).filter(ref=value.lower()).exists():
        return f"{value!r} is not one of the entities this field offers"
    return None

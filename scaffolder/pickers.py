"""Catalog-backed field extensions: the entities (or tags) a picker offers and the values it accepts.

OwnerPicker and EntityPicker offer entities matching their filter; OwnedEntityPicker only those
owned by the signed-in person or their groups; MyGroupsPicker the person's groups (``memberOf``,
resolved through the catalog); MultiEntityPicker several entities; EntityTagsPicker the catalog's
tags (``scaffolder.tag_picker``).

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

from catalog.formats.filter_syntax import Condition, FilterClause
from catalog.formats.refs import InvalidEntityRef, parse_entity_ref
from catalog.models import Entity
from portal.identity import ownership_refs

from . import tag_picker
from .field_rules import ui_options

# Pickers whose value is one entity ref.
PICKER_FIELDS = frozenset({"OwnerPicker", "EntityPicker", "OwnedEntityPicker", "MyGroupsPicker"})
# Pickers whose value is a list: entity refs, or tags.
MULTI_PICKER_FIELDS = frozenset({"MultiEntityPicker", tag_picker.TAG_FIELD})
OWNER_KINDS = ("Group", "User")
# Up to this many choices a picker is a plain <select>; beyond it, a text input with suggestions.
SELECT_LIMIT = 50
SUGGESTION_LIMIT = 20


@dataclass(frozen=True)
class PickerChoice:
    value: str
    label: str


def entity_titles(refs: list[str]) -> dict[str, str]:
    """Display titles of the entities among ``refs`` (lowercase refs), in one query; absent ones left out."""
    rows = Entity.objects.filter(ref__in=refs).only("ref", "name", "title")
    return {entity.ref: entity.display_title for entity in rows if entity.display_title != entity.name}


def is_picker(ui: dict[str, Any]) -> bool:
    return ui.get("ui:field") in PICKER_FIELDS or ui.get("ui:field") in MULTI_PICKER_FIELDS


def allows_arbitrary_values(ui: dict[str, Any]) -> bool:
    if ui.get("ui:field") == tag_picker.TAG_FIELD:
        return tag_picker.allows_new_tags(ui)
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


def picker_queryset(ui: dict[str, Any], user: Any = None):
    """The entities the picker offers ``user``: its filter, narrowed to theirs for the personal pickers."""
    field = ui.get("ui:field")
    if field == "MyGroupsPicker":
        groups = [ref.lower() for ref in ownership_refs(user)[1:]]
        qs = Entity.objects.of_kind("group").filter(ref__in=groups)
    else:
        qs = Entity.objects.matching(picker_clauses(ui))
        if field == "OwnedEntityPicker":
            qs = qs.owned_by_any(ownership_refs(user))
    return qs.order_by("ref").only("ref", "kind", "namespace", "name", "title")


def picker_choices(
    ui: dict[str, Any], text: str = "", limit: int = SELECT_LIMIT + 1, user: Any = None
) -> list[PickerChoice]:
    """Entities (or tags) the picker offers (matching ``text`` in ref or title), at most ``limit``."""
    if ui.get("ui:field") == tag_picker.TAG_FIELD:
        needle = text.lower()
        tags = [(tag, count) for tag, count in tag_picker.catalog_tags(ui) if needle in tag]
        return [PickerChoice(tag, tag_picker.tag_label(tag, count, ui)) for tag, count in tags[:limit]]
    qs = picker_queryset(ui, user)
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
    group_default = ui.get("ui:field") in ("OwnerPicker", "MyGroupsPicker")
    default_kind = options.get("defaultKind") or ("Group" if group_default else None)
    try:
        return str(
            parse_entity_ref(
                value.strip(), default_kind=default_kind, default_namespace=options.get("defaultNamespace")
            )
        )
    except InvalidEntityRef:
        return value.strip()


def check_picker_value(value: Any, ui: dict[str, Any], user: Any = None) -> str | None:
    """The message for a picker value the catalog does not offer ``user``, or None (one query)."""
    if value in (None, "", []):
        return None
    if ui.get("ui:field") == tag_picker.TAG_FIELD:
        return tag_picker.check_tags(value, ui)
    if ui.get("ui:field") in MULTI_PICKER_FIELDS:
        return _check_entity_list(value, ui, user)
    if not isinstance(value, str):
        return "must be an entity reference"
    try:
        parse_entity_ref(value)
    except InvalidEntityRef:
        return "must be an entity reference such as kind:namespace/name"
    if allows_arbitrary_values(ui):
        return None
    if not picker_queryset(ui, user).filter(ref=value.lower()).exists():
        return f"{value!r} is not one of the entities this field offers"
    return None


def _check_entity_list(value: Any, ui: dict[str, Any], user: Any) -> str | None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        return "must be a list of entity references"
    for item in value:
        try:
            parse_entity_ref(item)
        except InvalidEntityRef:
            return f"{item[:80]!r} is not an entity reference such as kind:namespace/name"
    if allows_arbitrary_values(ui):
        return None
    offered = picker_queryset(ui, user).filter(ref__in=[item.lower() for item in value])
    found = set(offered.values_list("ref", flat=True))
    missing = [item for item in value if item.lower() not in found]
    if missing:
        return f"{missing[0][:80]!r} is not one of the entities this field offers"
    return None

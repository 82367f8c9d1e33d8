"""Catalog facts, read from each entity's stored body and its relations (one query per batch).

Facts: ``catalog.kind``, ``catalog.type``, ``catalog.owner`` (the owner's ref), ``catalog.description``,
``catalog.lifecycle``, ``catalog.system`` (ref), ``catalog.tags`` (list), ``catalog.annotations``
(mapping), ``catalog.relations`` (mapping of relation type to sorted target refs) and
``catalog.has_api_definition`` (an API with a definition, or an entity providing an API).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from catalog.formats.refs import InvalidEntityRef, parse_entity_ref
from catalog.models import Relation

from ..facts import FactRecord


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _system_ref(value: Any, namespace: str) -> str | None:
    if not _text(value):
        return None
    try:
        return str(parse_entity_ref(value.strip(), default_kind="system", default_namespace=namespace))
    except InvalidEntityRef:
        return None


def collect(entities: Sequence[Any]) -> list[FactRecord]:
    refs = [entity.ref for entity in entities]
    relations: dict[str, dict[str, list[str]]] = {}
    rows = Relation.objects.filter(source_ref__in=refs).values_list("source_ref", "type", "target_ref")
    for source, relation_type, target in rows:
        relations.setdefault(source, {}).setdefault(relation_type, []).append(target)
    records = []
    for entity in entities:
        body = entity.body if isinstance(entity.body, dict) else {}
        metadata = body.get("metadata") if isinstance(body.get("metadata"), dict) else {}
        spec = body.get("spec") if isinstance(body.get("spec"), dict) else {}
        own = {key: sorted(set(targets)) for key, targets in sorted(relations.get(entity.ref, {}).items())}
        annotations = metadata.get("annotations") if isinstance(metadata.get("annotations"), dict) else {}
        tags = [tag for tag in metadata.get("tags") or [] if isinstance(tag, str)]
        if entity.kind.lower() == "api":
            has_definition = bool(_text(spec.get("definition")))
        else:
            has_definition = bool(own.get("providesApi"))
        values = {
            "catalog.kind": entity.kind.lower(),
            "catalog.type": _text(spec.get("type")),
            "catalog.owner": (own.get("ownedBy") or [None])[0],
            "catalog.description": _text(metadata.get("description")),
            "catalog.lifecycle": _text(spec.get("lifecycle")),
            "catalog.system": _system_ref(spec.get("system"), entity.namespace),
            "catalog.tags": tags,
            "catalog.annotations": dict(sorted(annotations.items())),
            "catalog.relations": own,
            "catalog.has_api_definition": has_definition,
        }
        records += [FactRecord(entity.ref, name, value) for name, value in values.items()]
    return records

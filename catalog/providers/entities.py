"""Entity bodies providers emit, shaped as Backstage's providers shape them."""

from __future__ import annotations

import hashlib
from typing import Any

from ..formats.validation import validate_entity

LOCATION_ANNOTATION = "backstage.io/managed-by-location"
ORIGIN_LOCATION_ANNOTATION = "backstage.io/managed-by-origin-location"


def location_entity(target: str, *, type: str = "url") -> dict[str, Any]:
    """A ``Location`` for ``target``, named ``generated-<sha1 of type:target>`` as Backstage names it.

    ``presence: optional``: a discovered repository without the file is not an error, as in Backstage.
    """
    ref = f"{type}:{target}"
    return {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Location",
        "metadata": {
            "name": "generated-" + hashlib.sha1(ref.encode()).hexdigest(),
            "annotations": {LOCATION_ANNOTATION: ref, ORIGIN_LOCATION_ANNOTATION: ref},
        },
        "spec": {"type": type, "target": target, "presence": "optional"},
    }


def with_location(entity: dict[str, Any], url: str) -> dict[str, Any]:
    """``entity`` annotated as read from ``url`` (the org or group page), as Backstage's org providers do."""
    annotations = entity["metadata"].setdefault("annotations", {})
    annotations.setdefault(LOCATION_ANNOTATION, f"url:{url}")
    annotations.setdefault(ORIGIN_LOCATION_ANNOTATION, f"url:{url}")
    return entity


def drop_empty(mapping: dict[str, Any]) -> dict[str, Any]:
    """``mapping`` without keys whose value is ``None`` or an empty string (absent profile fields)."""
    return {key: value for key, value in mapping.items() if value not in (None, "")}


def keep_valid(entities: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """The entities that pass the catalog's validation, and a note for each one left out.

    Forge data is written by its users (a username, a team slug): one that makes no valid entity
    is skipped and named, as Backstage fails that one entity, rather than failing the whole run.
    """
    valid, notes = [], []
    for entity in entities:
        errors = validate_entity(entity)
        if errors:
            name = f"{entity.get('kind')} {entity.get('metadata', {}).get('name')!r}"[:200]
            notes.append(f"skipped {name}: {'; '.join(str(error) for error in errors[:3])}"[:500])
        else:
            valid.append(entity)
    return valid, notes

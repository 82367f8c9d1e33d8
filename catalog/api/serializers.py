"""The JSON shapes Backstage's clients expect: entities with relations and status, and locations."""

from __future__ import annotations

from typing import Any

from ..models import Entity, Location


def entity_payload(entity: Entity) -> dict[str, Any]:
    """An entity as Backstage serves it; ``entity`` must come from ``with_relations()``."""
    payload = dict(entity.body)
    payload["relations"] = entity.output_relations
    if entity.processing_errors:
        payload["status"] = {"items": entity.processing_errors}
    return payload


def select_fields(payload: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    """Keep only the dotted paths in ``fields`` (whole subtrees); missing paths are left out."""
    if not fields:
        return payload
    selected: dict[str, Any] = {}
    for field in fields:
        source: Any = payload
        parts = field.split(".")
        for part in parts:
            if not isinstance(source, dict) or part not in source:
                break
            source = source[part]
        else:
            target = selected
            for part in parts[:-1]:
                target = target.setdefault(part, {})
            target[parts[-1]] = source
    return selected


def location_payload(location: Location) -> dict[str, Any]:
    return {"id": str(location.pk), "type": location.type, "target": location.target}


def can_send_payload_text(request, fields: list[str]) -> bool:
    """Whether the database may render the entities: PostgreSQL, whole entities, a JSON client."""
    from django.db import connection
    from rest_framework.renderers import JSONRenderer

    return connection.vendor == "postgresql" and not fields and isinstance(request.accepted_renderer, JSONRenderer)


def json_response(text: str, status: int = 200, headers: dict[str, str] | None = None):
    from django.http import HttpResponse

    return HttpResponse(text, status=status, headers=headers, content_type="application/json")

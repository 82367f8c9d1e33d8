"""The JSON shapes Backstage's clients expect: entities with relations and status, and locations."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import orjson

from ..models import Entity, Location
from ..querysets import SERVED_KEYS


def entity_payload(entity: Entity) -> dict[str, Any]:
    """An entity as Backstage serves it; ``entity`` must come from ``with_relations()``.

    The same keys as the database's ``PAYLOAD_SQL``, from the same list (``SERVED_KEYS``).
    """
    payload = dict(entity.body)
    for served in SERVED_KEYS:
        value = served.value(entity)
        if value is not None:
            payload[served.key] = value
    return payload


def entity_json(entity: Entity) -> str:
    """``entity_payload`` as the text PostgreSQL writes for it (``with_payload()``), byte for byte."""
    return jsonb_text(entity_payload(entity))


def jsonb_text(value: Any) -> str:
    """JSON text as PostgreSQL's ``jsonb::text`` writes it: object keys shortest first, then by
    their UTF-8 bytes; ``", "`` and ``": "`` between items; non-ASCII text unescaped."""
    if isinstance(value, dict):
        keys = sorted(value, key=lambda key: (len(key.encode()), key.encode()))
        return "{" + ", ".join(f"{json.dumps(key, ensure_ascii=False)}: {jsonb_text(value[key])}" for key in keys) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(jsonb_text(item) for item in value) + "]"
    if isinstance(value, float):
        # Stored from Python's shortest repr, which numeric writes out without an exponent (and without
        # a sign on zero): 1e-07 is 0.0000001 in the database.
        text = format(Decimal(repr(value)), "f")
        return text.removeprefix("-") if value == 0 else text
    return json.dumps(value, ensure_ascii=False)


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


def selected_payload_text(payload: str, fields: list[str]) -> str:
    """The ``fields`` of one entity's served JSON text (``with_payload()``), as JSON text.

    Parsed by ``json`` (orjson reads integers past 64 bits as floats, which would change them),
    written by orjson, or by ``json`` for what orjson refuses (those same integers).
    """
    selected = select_fields(json.loads(payload), fields)
    try:
        encoded = orjson.dumps(selected)
    except TypeError:
        return json.dumps(selected)
    # As the API's renderer writes them: the line separators that end a line in JavaScript, escaped.
    return encoded.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029").decode()


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

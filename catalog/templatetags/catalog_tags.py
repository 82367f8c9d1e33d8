"""Template helpers for entity refs."""

from __future__ import annotations

import json

from django import template
from django.urls import reverse
from django.utils.html import format_html

from ..refs import InvalidEntityRef, parse_entity_ref

register = template.Library()


@register.simple_tag
def entity_link(ref: str, label: str = "") -> str:
    """A link to the entity page of ``ref`` (``kind:namespace/name``), showing its name."""
    try:
        parsed = parse_entity_ref(ref)
    except InvalidEntityRef:
        return format_html("{}", ref)
    url = reverse("catalog:entity_detail", args=[parsed.kind.lower(), parsed.namespace, parsed.name])
    shown = label or (parsed.name if parsed.namespace == "default" else f"{parsed.namespace}/{parsed.name}")
    return format_html('<a href="{}">{}</a>', url, shown)


@register.filter
def get_item(mapping: dict, key: str):
    """``mapping[key]`` for keys a template cannot spell (``spec.type``)."""
    return mapping.get(key, []) if isinstance(mapping, dict) else []


@register.filter
def compact_json(value, limit: int = 200) -> str:
    """A value as short JSON text for diffs (autoescaped by the template like any string)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 1] + "…"

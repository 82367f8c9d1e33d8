"""Template helpers for entity refs."""

from __future__ import annotations

import json

from django import template
from django.utils.html import format_html

from portal.display_text import isolated_html, visible_html
from portal.links import reverse_or_empty

from ..contact_links import LABELS, contact_link
from ..entity_urls import entity_url
from ..formats.refs import InvalidEntityRef, parse_entity_ref

register = template.Library()


@register.simple_tag
def entity_link(ref: str, label: str = "") -> str:
    """A link to the entity page of ``ref`` (``kind:namespace/name``), showing its name.

    A ref that is malformed, or that no URL can address (a name holding ``/``), is shown as text.
    The text shown is isolated and its hidden characters marked (``portal.display_text``).
    """
    try:
        parsed = parse_entity_ref(ref)
    except InvalidEntityRef:
        return isolated_html(ref)
    url = entity_url(parsed.kind, parsed.namespace, parsed.name)
    if not url:
        return format_html('<span class="unlinked-ref">{}</span>', isolated_html(label or ref))
    shown = label or (parsed.name if parsed.namespace == "default" else f"{parsed.namespace}/{parsed.name}")
    # The isolation goes around the link, so the whole link keeps its place in the line.
    return format_html('<bdi><a href="{}">{}</a></bdi>', url, visible_html(shown))


@register.simple_tag
def safe_url(viewname: str, *args: object) -> str:
    """``{% url %}`` for arguments taken from data: empty instead of an error when no URL can hold them."""
    return reverse_or_empty(viewname, *args)


@register.filter
def get_item(mapping: dict, key: str):
    """``mapping[key]`` for keys a template cannot spell (``spec.type``)."""
    return mapping.get(key, []) if isinstance(mapping, dict) else []


@register.filter
def compact_json(value, limit: int = 200) -> str:
    """A value as short JSON text for diffs (autoescaped by the template like any string)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@register.inclusion_tag("catalog/partials/contact.html")
def contact(key: str, value: object) -> dict[str, object]:
    """A chat or on-call annotation: its label, and its value as a link where one can be built."""
    return {"contact": contact_link(key, value)}


@register.filter
def contact_label(key: str) -> str:
    """``Slack`` for ``slack.com/channel``; an annotation without a label is shown by its key."""
    return LABELS.get(key, key)

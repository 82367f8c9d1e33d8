"""The runbook card's rules: which entities get it, and what its template shows.

The annotation's value is written by whoever owns the entity's file: it becomes a link only when
it is an absolute http(s) URL, and is shown as text otherwise (never a ``javascript:`` link).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

RUNBOOK_ANNOTATION = "greenroom.io/runbook"


def runbook_value(entity: Any) -> str:
    annotations = (entity.body.get("metadata") or {}).get("annotations") or {}
    value = annotations.get(RUNBOOK_ANNOTATION)
    return value.strip() if isinstance(value, str) else ""


def has_runbook(entity: Any) -> bool:
    """Only entities carrying the annotation get the card."""
    return bool(runbook_value(entity))


def runbook_context(request: Any, entity: Any) -> dict[str, Any]:
    value = runbook_value(entity)
    return {"annotation": RUNBOOK_ANNOTATION, "value": value, "url": value if is_web_link(value) else ""}


def is_web_link(value: str) -> bool:
    """An absolute http(s) URL with a host, with nothing a browser would silently drop (tabs, newlines)."""
    if not value.isprintable():
        return False
    try:
        parts = urlsplit(value)
        return parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:  # a malformed IPv6 host, say
        return False

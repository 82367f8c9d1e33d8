"""EntityTagsPicker: the tags the catalog already uses, as suggestions and (optionally) as the only choices.

Backstage's picker reads the catalog's ``metadata.tags`` facet, limited to ``ui:options.kinds``,
and lets people type new tags. ``allowArbitraryValues: false`` restricts the value to tags already
in use. The tag format is checked in ``field_rules`` (it needs no catalog).
"""

from __future__ import annotations

from typing import Any

from catalog.facets import facet_counts
from catalog.formats.filter_syntax import Condition
from catalog.models import Entity

from .field_rules import ui_options

TAG_FIELD = "EntityTagsPicker"
_FACET = "metadata.tags"


def tag_kinds(ui: dict[str, Any]) -> list[str]:
    kinds = ui_options(ui).get("kinds")
    return sorted({str(kind).lower() for kind in kinds}) if isinstance(kinds, list) else []


def catalog_tags(ui: dict[str, Any]) -> list[tuple[str, int]]:
    """``(tag, entities carrying it)`` for the picker's kinds, sorted by tag; cached until the catalog changes."""
    kinds = tag_kinds(ui)
    qs = Entity.objects.matching([(Condition("kind", tuple(kinds)),)] if kinds else [])
    counts = facet_counts(qs, [_FACET], ["scaffolder.tags", kinds])[_FACET]
    return [(item["value"], item["count"]) for item in counts]


def tag_label(tag: str, count: int, ui: dict[str, Any]) -> str:
    return f"{tag} ({count})" if ui_options(ui).get("showCounts") is True else tag


def allows_new_tags(ui: dict[str, Any]) -> bool:
    """Free entry unless ``allowArbitraryValues`` is ``false`` (Backstage's default is to allow it)."""
    return ui_options(ui).get("allowArbitraryValues") is not False


def helper_text(ui: dict[str, Any]) -> str:
    return str(ui_options(ui).get("helperText") or "")


def check_tags(value: Any, ui: dict[str, Any]) -> str | None:
    """The message for tags the catalog does not use when new tags are not allowed, or None."""
    if allows_new_tags(ui) or not isinstance(value, list) or not value:
        return None
    known = {tag for tag, _ in catalog_tags(ui)}
    unknown = [str(tag) for tag in value if tag not in known]
    if unknown:
        return f"{unknown[0][:80]!r} is not a tag used in the catalog; choose one of the suggested tags"
    return None

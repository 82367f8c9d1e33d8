"""The explorer table's rows, written in Python.

A page holds 50 rows of eight cells with links, chips and values read from each body; through the
template language's loop, variable lookups and filters that was a third of the page's time. The
HTML is the one ``catalog/partials/entity_table.html`` wrote before: every value from data is
escaped, names and refs are isolated and their hidden characters marked (``portal.display_text``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from portal.display_text import isolated_html

from ..templatetags.catalog_tags import entity_link

DESCRIPTION_CHARS = 90
ERROR_CHIP = ' <span class="chip" title="processing errors">⚠</span>'


def table_rows(rows: Iterable[Any]) -> SafeString:
    """The ``<tr>`` of each entity (with ``owner_refs`` and ``system_refs`` set by the view)."""
    return mark_safe("".join(_row(entity) for entity in rows))


def _row(entity: Any) -> str:
    body = entity.body if isinstance(entity.body, dict) else {}
    metadata = _mapping(body.get("metadata"))
    spec = _mapping(body.get("spec"))
    description = metadata.get("description") or ""
    if len(str(description)) > DESCRIPTION_CHARS:  # as ``truncatechars``; shorter text is never cut
        description = Truncator(description).chars(DESCRIPTION_CHARS)
    tags = metadata.get("tags")
    chips = "".join(f'<span class="chip">{_text(tag)}</span>' for tag in tags) if isinstance(tags, list) else ""
    return (
        f'<tr><td><a href="{_text(entity.get_absolute_url())}">{isolated_html(entity.display_title)}</a>'
        f"{ERROR_CHIP if entity.processing_errors else ''}</td>"
        f"<td>{_text(entity.kind)}</td>"
        f"<td>{_links(entity.system_refs)}</td>"
        f"<td>{_links(entity.owner_refs)}</td>"
        f"<td>{_text(spec.get('type') or '')}</td>"
        f"<td>{_text(spec.get('lifecycle') or '')}</td>"
        f'<td class="hide-narrow">{_text(description)}</td>'
        f'<td class="hide-narrow">{chips}</td></tr>\n'
    )


def _mapping(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _text(value: object) -> str:
    return str(conditional_escape(value))


def _links(refs: Iterable[str]) -> str:
    return "".join(f"{entity_link(ref)} " for ref in refs)

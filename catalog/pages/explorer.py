"""The explorer's defaults, pickers and sortable headers (the view: ``catalog.views.EntityListView``)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.cache import cache
from django.db.models import Count
from django.http import QueryDict
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from portal.display_text import attribute_html, visible_text
from portal.search.results import short_ref

from ..cache import cached_for_version, catalog_version
from ..facets import facet_counts
from ..filtering import owner_ref
from ..filtersets import SORTS

# Backstage's catalog page opens on Components; ``kind=`` (the picker's "All") lists every kind.
# Only the bare explorer does: a link that filters by something else lists every kind, as before.
DEFAULT_KIND = "component"
# Header label -> sort key, in the table's column order.
COLUMNS = (
    ("Name", "name"),
    ("Kind", "kind"),
    ("System", "system"),
    ("Owner", "owner"),
    ("Type", "type"),
    ("Lifecycle", "lifecycle"),
    ("Description", "description"),
    ("Tags", "tags"),
)
# Picker -> the facet it counts (``catalog.facets``).
PICKER_FACETS = {"owner": "relations.ownedBy", "tag": "metadata.tags"}
PICKER_CACHE_SECONDS = 600


def with_default_kind(params: QueryDict) -> QueryDict:
    """The query string the filters read: the bare explorer (no filter given, maybe a page or a
    sort) opens on the default kind; ``kind`` given, even empty, and links that filter otherwise
    (``?owner=``, ``?filter=`` from entity pages and other apps) are read as they are."""
    if set(params) - {"page", "sort"}:
        return params
    data = params.copy()
    data["kind"] = DEFAULT_KIND
    return data


def without(params: QueryDict, *names: str) -> QueryDict:
    """``params`` without ``names`` (their own picker counts over the other filters)."""
    data = params.copy()
    for name in names:
        data.pop(name, None)
    return data


def kind_counts(qs, filters: list | None) -> list[dict[str, Any]]:
    """``[{value, count}]`` of each kind in ``qs`` (the other filters applied, not the kind's)."""
    key = f"catalog:ui-kinds:{catalog_version()}:{hashlib.sha1(repr(filters).encode()).hexdigest()}"
    counts = cache.get(key) if filters is not None else None
    if counts is None:
        rows = qs.order_by().values_list("kind").annotate(count=Count("id"))
        counts = [{"value": value, "count": count} for value, count in sorted(rows)]
        if filters is not None:
            cache.set(key, counts, 600)
    return counts


def picker_options(name: str, qs, filters: list | None, selected: str) -> SafeString:
    """The Owner or Tag picker's ``<option>`` elements with counts, most entities first; the chosen
    one marked. A chosen value no entity has still shows (count 0), so it can be cleared.

    A picker lists every owner or tag of the rows (thousands at scale), so the options are written
    here rather than by a template loop, and their escaped text is cached with the counts until the
    catalog changes; only the mark of the chosen one is added per request.
    """
    facet = PICKER_FACETS[name]
    wanted = owner_ref(selected) if name == "owner" and selected else selected.strip().lower()

    def written() -> list[tuple[str, str, str]]:
        counts = facet_counts(qs, [facet], ["explorer", filters], cached=False)[facet]
        return [
            _option(item["value"], short_ref(item["value"]) if name == "owner" else item["value"], item["count"])
            for item in sorted(counts, key=lambda item: (-item["count"], item["value"]))
        ]

    if filters is None:
        options = written()
    else:
        digest = hashlib.sha1(json.dumps([facet, filters], default=str).encode()).hexdigest()
        options = cached_for_version(f"catalog:ui-picker:{digest}", written, PICKER_CACHE_SECONDS)
    parts = [f"{start} selected{end}" if key == wanted else start + end for key, start, end in options]
    if wanted and not any(key == wanted for key, _, _ in options):
        start, end = _option(selected, selected, 0)[1:]
        parts.insert(0, f"{start} selected{end}")
    # Every value and label was escaped by _option.
    return mark_safe("".join(parts))


def _option(value: str, label: str, count: int) -> tuple[str, str, str]:
    """``(lowercase value, '<option value="…"', '>label (count)</option>')``: the value round-trips
    (hidden characters as references), the label shows hidden characters as markers."""
    return (
        value.lower(),
        f'<option value="{attribute_html(value)}"',
        f">{escape(visible_text(label))} ({count})</option>",
    )


def sort_headers(params: QueryDict) -> list[dict[str, str]]:
    """Each column's label, the link that sorts by it (again: the other way) and its ``aria-sort``."""
    current = params.get("sort") or "name"
    if current not in SORTS:
        current = "name"
    base = without(params, "page", "sort")
    headers = []
    for label, key in COLUMNS:
        state = "ascending" if current == key else "descending" if current == f"-{key}" else "none"
        query = base.copy()
        query["sort"] = f"-{key}" if state == "ascending" else key
        headers.append({"label": label, "key": key, "url": "?" + query.urlencode(), "aria_sort": state})
    return headers

"""Facet counts: how many entities have each value at a field path, values in their original case."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection

from .cache import cached_for_version
from .formats.relations import RELATION_PAIRS
from .models import Relation
from .search_index import MAX_VALUE_LENGTH

_RELATION_TYPES = {relation.lower(): relation for relation in RELATION_PAIRS}
# Maps whose keys may themselves contain dots: the rest of the path is one key.
_MAP_PREFIXES = ("metadata.annotations.", "metadata.labels.")
CACHE_SECONDS = 600


def _path_parts(facet: str) -> list[str]:
    for prefix in _MAP_PREFIXES:
        if facet.startswith(prefix) and len(facet) > len(prefix):
            return [*prefix.rstrip(".").split("."), facet[len(prefix) :]]
    return facet.split(".")


def _json_path(parts: list[str]) -> str:
    quoted = ".".join('"' + part.replace("\\", "\\\\").replace('"', '\\"') + '"' for part in parts)
    return f"lax $.{quoted}[*]"


def _scalar_text(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return None


def _values_in_python(body: dict[str, Any], parts: list[str]) -> set[str]:
    nodes: list[Any] = [body]
    for part in parts:
        next_nodes = []
        for node in nodes:
            for item in node if isinstance(node, list) else [node]:
                if isinstance(item, dict) and part in item:
                    next_nodes.append(item[part])
        nodes = next_nodes
    values = set()
    for node in nodes:
        for item in node if isinstance(node, list) else [node]:
            text = _scalar_text(item)
            if text is not None and len(text) <= MAX_VALUE_LENGTH:
                values.add(text)
    return values


def _relation_counts(qs, relation_key: str) -> Counter:
    relation_type = _RELATION_TYPES.get(relation_key.lower())
    if relation_type is None:
        return Counter()
    refs = qs.values("ref")
    pairs = set(
        Relation.objects.filter(type=relation_type, source_ref__in=refs).values_list("source_ref", "target_ref")
    )
    pairs |= {
        (source, target)
        for target, source in Relation.objects.filter(
            type=RELATION_PAIRS[relation_type], target_ref__in=refs
        ).values_list("source_ref", "target_ref")
    }
    return Counter(target for _, target in pairs)


def _field_counts(qs, facet: str) -> Counter:
    parts = _path_parts(facet)
    if connection.vendor == "postgresql":
        try:
            ids_sql, params = qs.values("id").query.sql_with_params()
        except EmptyResultSet:
            # A filter that can match nothing (an unknown relation type) compiles to no SQL at all.
            return Counter()
        sql = (
            "SELECT value, count(*) FROM ("
            " SELECT DISTINCT e.id, v #>> '{}' AS value"
            " FROM catalog_entity e CROSS JOIN LATERAL jsonb_path_query(e.body, %s::jsonpath) AS v"
            f" WHERE e.id IN ({ids_sql}) AND jsonb_typeof(v) IN ('string', 'number', 'boolean')"
            ") AS facet WHERE length(value) <= %s GROUP BY value"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [_json_path(parts), *params, MAX_VALUE_LENGTH])
            return Counter(dict(cursor.fetchall()))
    counts: Counter = Counter()
    for body in qs.values_list("body", flat=True).iterator(chunk_size=2000):
        counts.update(_values_in_python(body, parts))
    return counts


def facet_counts(
    qs, facets: list[str], cache_key_parts: Any, *, cached: bool = True
) -> dict[str, list[dict[str, Any]]]:
    """``{facet: [{value, count}]}`` over ``qs``, sorted by value; cached until the catalog changes
    (``cached=False``: counted afresh, for rows that change without the catalog, such as stars)."""
    digest = hashlib.sha1(json.dumps([facets, cache_key_parts], sort_keys=True, default=str).encode()).hexdigest()
    if cached:
        return cached_for_version(f"catalog:facets:{digest}", lambda: _counted(qs, facets), CACHE_SECONDS)
    return _counted(qs, facets)


def _counted(qs, facets: list[str]) -> dict[str, list[dict[str, Any]]]:
    result = {}
    for facet in facets:
        if facet.lower().startswith("relations."):
            counts = _relation_counts(qs, facet.split(".", 1)[1])
        else:
            counts = _field_counts(qs, facet)
        result[facet] = [{"value": value, "count": count} for value, count in sorted(counts.items())]
    return result

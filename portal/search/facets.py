"""Facet counts: how many matches each type, kind, owner and lifecycle has.

Counted in SQL over any set of matching rows (every match, one ranking group, or a sample of
pages on PostgreSQL); the total is the sum of the ``type`` counts, as every row has a type.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from typing import Any

FACET_FIELDS = ("type", "kind", "owner", "lifecycle")

FacetCounts = dict[str, list[tuple[str, int]]]


def _sorted(counts: dict[str, Counter]) -> FacetCounts:
    # By count, then value; empty values are never counted.
    return {name: sorted(counts[name].items(), key=lambda item: (-item[1], item[0])) for name in FACET_FIELDS}


def _per_facet(source: str) -> str:
    return " UNION ALL ".join(
        f"SELECT '{name}' AS facet, {name} AS value, count(*) AS n FROM {source} WHERE {name} <> '' GROUP BY {name}"
        for name in FACET_FIELDS
    )


def count_facets(cursor, hits_sql: str, params: list[Any]) -> FacetCounts:
    """Value counts per facet over ``hits_sql`` (a SELECT of ``type, kind, owner, lifecycle``)."""
    cursor.execute(f"WITH hits AS ({hits_sql}) {_per_facet('hits')}", params)
    counts: dict[str, Counter] = {name: Counter() for name in FACET_FIELDS}
    for name, value, count in cursor.fetchall():
        counts[name][value] += count
    return _sorted(counts)


def facets_json_sql(source: str) -> str:
    """A SELECT of one text column: the facet counts of the rows of ``source`` (a CTE), as JSON.

    For a statement that returns other rows too; ``parse_facets_json`` reads the column.
    """
    return (
        "SELECT coalesce(json_agg(json_build_array(facet, value, n)), '[]'::json)::text "
        f"FROM ({_per_facet(source)}) AS counted"
    )


def parse_facets_json(text: str) -> FacetCounts:
    """Facet counts from a ``facets_json_sql`` column."""
    return add_facets([[(name, value, count) for name, value, count in json.loads(text)]])


def add_facets(parts: Iterable[Iterable[tuple[str, str, int]]]) -> FacetCounts:
    """Facet counts summed over ``(facet, value, count)`` triples of disjoint sets of rows."""
    counts: dict[str, Counter] = {name: Counter() for name in FACET_FIELDS}
    for part in parts:
        for name, value, count in part:
            counts[name][value] += count
    return _sorted(counts)


def triples(counts: FacetCounts) -> list[tuple[str, str, int]]:
    """``(facet, value, count)`` of counts, for ``add_facets``."""
    return [(name, value, count) for name, values in counts.items() for value, count in values]


def total_of(counts: FacetCounts) -> int:
    """The number of rows counted: every row has a type."""
    return sum(count for _, count in counts["type"])

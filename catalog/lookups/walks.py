"""Breadth-first walks over ``catalog_relation`` in one recursive query, whatever the depth.

The recursive CTE carries one row per level: the level's new entities, each with the edge that
first reached it, and the set seen before it. A level therefore excludes every entity met at any
earlier level (a plain row-per-entity CTE only sees the previous level, so cycles and diamonds
would multiply rows), and the walk stops as soon as enough entities are found, reading no more of
the last level than the slots left: deep pages cost a longer walk, never a bigger answer.
PostgreSQL holds the sets in arrays and probes the relation indexes ``(target_ref, type)`` and
``(source_ref, type)`` with ``= ANY``; SQLite, which has no arrays, holds them in JSON arrays.

Only forward relation rows are stored (``relations.py``), so a direction is read as the forward
type on one side and its reverse on the other (``Direction``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.db import connection


@dataclass(frozen=True)
class Direction:
    """Which stored rows are edges, as ``{stored type: relation read from the walked side}``.

    ``by_target`` rows are followed from their target to their source, ``by_source`` rows from
    their source to their target.
    """

    by_target: dict[str, str]
    by_source: dict[str, str]


# "If X fails, Y fails": a stored ``dependsOn`` row targets X; a stored ``dependencyOf`` row
# starts at X; an API X is consumed by rows targeting it; a component X provides APIs in rows
# starting at it.
DEPENDENTS = Direction(
    by_target={"dependsOn": "dependencyOf", "consumesApi": "apiConsumedBy"},
    by_source={"dependencyOf": "dependencyOf", "providesApi": "providesApi"},
)
# "X fails if Y fails": X's own ``dependsOn`` and ``consumesApi`` rows start at X; a
# ``dependencyOf`` row naming X and a ``providesApi`` row for API X end at X.
DEPENDENCIES = Direction(
    by_target={"dependencyOf": "dependsOn", "providesApi": "apiProvidedBy"},
    by_source={"dependsOn": "dependsOn", "consumesApi": "consumesApi"},
)


@dataclass
class Dependent:
    """An entity reached from the walked one: at ``depth`` hops, along ``via``."""

    ref: str
    depth: int
    via: list[dict[str, str]]


@dataclass
class DependentsWalk:
    """The first entities of a walk, nearest first, and whether the walk went on past them."""

    items: list[Dependent] = field(default_factory=list)
    truncated: bool = False


@dataclass
class Walk:
    """What one walk query found: the first ``wanted`` entities within ``max_depth`` (fewer if the
    walk ends), and ``deeper``: whether the level past ``max_depth`` is non-empty.

    Fewer than ``wanted`` entities means the walk ran to its end, so ``deeper`` is exact; otherwise
    the walk stopped early and ``deeper`` is False for want of looking.
    """

    reached: list[Dependent] = field(default_factory=list)
    deeper: bool = False

    def first(self, limit: int) -> DependentsWalk:
        """The first ``limit`` entities; exact ``truncated`` when the walk wanted ``limit + 1``."""
        return DependentsWalk(self.reached[:limit], len(self.reached) > limit or self.deeper)


def walk(ref: str, direction: Direction, *, max_depth: int, wanted: int) -> Walk:
    """The first ``wanted`` entities reached from ``ref`` (fewer if the walk ends), in one query.

    Each entity is reported once, at its shortest distance, reached by the edge that comes first in
    code-point order of (origin, relation); a level is listed in code-point order of (origin,
    relation, reached), so ties always resolve the same way. Level ``max_depth + 1`` is read only
    to learn whether the depth bound cut the walk, and only when fewer than ``wanted`` came before.
    """
    sql, params = _walk_sql(direction, ref=ref, max_depth=max_depth, wanted=wanted)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        levels = cursor.fetchall()
    result = Walk()
    paths: dict[str, list[dict[str, str]]] = {ref: []}
    for depth, edges in _decoded(levels):
        if depth > max_depth:
            result.deeper = bool(edges)
            break
        for origin, relation, reached in sorted(edges):
            paths[reached] = [*paths[origin], {"type": relation, "targetRef": reached}]
            result.reached.append(Dependent(reached, depth, paths[reached]))
    return result


def _decoded(levels: list[tuple]) -> list[tuple[int, list[tuple[str, str, str]]]]:
    """``(depth, [(origin, relation, reached), ...])`` per level after the root, from either dialect."""
    decoded = []
    for depth, *columns in levels:
        if depth == 0:
            continue
        if connection.vendor == "postgresql":
            origins, relations, nodes = columns
            edges = list(zip(origins or [], relations or [], nodes or [], strict=True))
        else:
            edges = [tuple(edge) for edge in json.loads(columns[0] or "[]")]
        decoded.append((depth, edges))
    return decoded


def _case(mapping: dict[str, str], params: list) -> str:
    """``CASE type WHEN %s THEN %s ... END``: the relation as read from the walked side."""
    whens = []
    for stored, read in mapping.items():
        whens.append("WHEN %s THEN %s")
        params.extend([stored, read])
    return f"CASE type {' '.join(whens)} END"


def _types(mapping: dict[str, str], params: list) -> str:
    params.extend(mapping)
    return ", ".join(["%s"] * len(mapping))


def _walk_sql(direction: Direction, *, ref: str, max_depth: int, wanted: int) -> tuple[str, list]:
    if connection.vendor == "postgresql":
        return _postgresql_sql(direction, ref=ref, max_depth=max_depth, wanted=wanted)
    return _sqlite_sql(direction, ref=ref, max_depth=max_depth, wanted=wanted)


# A level row: depth, the level's (origin, relation, reached) triples, the refs seen at earlier
# levels, and how many entities those levels held (-1 for the root, which is no dependent). The
# next level is built from this one's triples, so ``seen`` and ``found`` lag a level behind.
def _postgresql_sql(direction: Direction, *, ref: str, max_depth: int, wanted: int) -> tuple[str, list]:
    params: list = []
    by_target = f"""
        SELECT target_ref AS origin, {_case(direction.by_target, params)} AS relation, source_ref AS reached
        FROM catalog_relation
        WHERE type IN ({_types(direction.by_target, params)}) AND target_ref = ANY(level.nodes)"""
    by_source = f"""
        SELECT source_ref, {_case(direction.by_source, params)}, target_ref
        FROM catalog_relation
        WHERE type IN ({_types(direction.by_source, params)}) AND source_ref = ANY(level.nodes)"""
    sql = f"""
    WITH RECURSIVE level(depth, origins, relations, nodes, seen, found) AS (
        SELECT 0, ARRAY[NULL]::text[], ARRAY[NULL]::text[], ARRAY[%s]::text[], ARRAY[]::text[], -1
        UNION ALL
        SELECT level.depth + 1, step.origins, step.relations, step.nodes,
               level.seen || level.nodes, level.found + cardinality(level.nodes)
        FROM level CROSS JOIN LATERAL (
            SELECT array_agg(origin) AS origins, array_agg(relation) AS relations, array_agg(reached) AS nodes
            FROM (
                SELECT origin, relation, reached FROM (
                    SELECT DISTINCT ON (edge.reached) edge.origin, edge.relation, edge.reached
                    FROM ({by_target} UNION ALL {by_source}) AS edge
                    WHERE NOT EXISTS (
                        SELECT 1 FROM unnest(level.seen || level.nodes) AS known(ref) WHERE known.ref = edge.reached
                    )
                    ORDER BY edge.reached, edge.origin COLLATE "C", edge.relation COLLATE "C"
                ) AS first_edge
                ORDER BY origin COLLATE "C", relation COLLATE "C", reached COLLATE "C"
                LIMIT %s - level.found - cardinality(level.nodes)
            ) AS wanted_edge
        ) AS step
        WHERE level.depth <= %s AND level.found + cardinality(level.nodes) < %s
    )
    SELECT depth, origins, relations, nodes FROM level ORDER BY depth
    """
    return sql, [ref, *params, wanted, max_depth, wanted]


def _sqlite_sql(direction: Direction, *, ref: str, max_depth: int, wanted: int) -> tuple[str, list]:
    params: list = []
    frontier = "(SELECT json_extract(value, '$[2]') FROM json_each(level.edges))"
    by_target = f"""
        SELECT target_ref AS origin, {_case(direction.by_target, params)} AS relation, source_ref AS reached
        FROM catalog_relation
        WHERE type IN ({_types(direction.by_target, params)}) AND target_ref IN {frontier}"""
    by_source = f"""
        SELECT source_ref, {_case(direction.by_source, params)}, target_ref
        FROM catalog_relation
        WHERE type IN ({_types(direction.by_source, params)}) AND source_ref IN {frontier}"""
    # BINARY collation compares UTF-8 bytes, which is code-point order.
    sql = f"""
    WITH RECURSIVE level(depth, edges, seen, found) AS (
        SELECT 0, json_array(json_array(NULL, NULL, %s)), json_array(), -1
        UNION ALL
        SELECT level.depth + 1,
               (SELECT json_group_array(json_array(origin, relation, reached)) FROM (
                    SELECT origin, relation, reached,
                           row_number() OVER (ORDER BY origin, relation, reached) AS position
                    FROM (
                        SELECT origin, relation, reached,
                               row_number() OVER (PARTITION BY reached ORDER BY origin, relation) AS rank
                        FROM ({by_target} UNION ALL {by_source}) AS edge
                        WHERE reached NOT IN (SELECT value FROM json_each(level.seen)) AND reached NOT IN {frontier}
                    ) WHERE rank = 1
                ) WHERE position <= %s - level.found - json_array_length(level.edges)),
               (SELECT json_group_array(value) FROM (
                    SELECT value FROM json_each(level.seen) UNION ALL SELECT * FROM {frontier}
               )),
               level.found + json_array_length(level.edges)
        FROM level
        WHERE level.depth <= %s AND json_array_length(level.edges) > 0
          AND level.found + json_array_length(level.edges) < %s
    )
    SELECT depth, edges FROM level ORDER BY depth
    """
    return sql, [ref, *params, wanted, max_depth, wanted]

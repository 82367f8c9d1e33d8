"""Who owns an entity, how to reach them, and what depends on it, in a bounded number of queries.

Only forward relation rows are stored (``relations.py``), so each walk asks for both the forward
type on one side and its reverse on the other. Graph walks are breadth-first, one query per level,
and every entity they reach is loaded in one batched query at the end.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import CharField, Q, Value
from django.db.models.fields.json import KT

from ..models import Entity, Relation

# Annotations read as ways to reach a team or a service, on the owner and on the entity.
CONTACT_ANNOTATIONS = (
    "slack.com/channel",
    "pagerduty.com/service-id",
    "pagerduty.com/integration-key",
    "opsgenie.com/team",
    "opsgenie.com/component-selector",
)
CONTACT_SUFFIXES = ("/channel", "/on-call", "/oncall", "/escalation-policy")

MAX_DEPTH = 10
MAX_DEPENDENTS = 500
# A group hierarchy deeper than this is a modelling error (or a cycle the seen-set missed).
MAX_PARENTS = 50

# Edges "if X fails, Y fails", as (relation stored, side X is on, relation read from X's side).
# A stored ``dependsOn`` row targets X; a stored ``dependencyOf`` row starts at X; an API X is
# consumed by rows targeting it; a component X provides APIs in rows starting at it.
_BY_TARGET = {"dependsOn": "dependencyOf", "consumesApi": "apiConsumedBy"}
_BY_SOURCE = {"dependencyOf": "dependencyOf", "providesApi": "providesApi"}


@dataclass
class Dependent:
    """An entity reached from the looked-up one: at ``depth`` hops, along ``via``."""

    ref: str
    depth: int
    via: list[dict[str, str]]


@dataclass
class DependentsWalk:
    items: list[Dependent] = field(default_factory=list)
    truncated: bool = False


def is_contact_annotation(key: str) -> bool:
    return key in CONTACT_ANNOTATIONS or key.endswith(CONTACT_SUFFIXES)


def contacts_of(entity: Entity) -> list[dict[str, str]]:
    """The entity's chat and on-call annotations, sorted by key, each naming where it came from."""
    annotations = entity.body.get("metadata", {}).get("annotations") or {}
    return [
        {"key": key, "value": str(value), "entityRef": entity.ref}
        for key, value in sorted(annotations.items())
        if is_contact_annotation(key)
    ]


def dependents_of(ref: str, *, max_depth: int = MAX_DEPTH, limit: int = MAX_DEPENDENTS) -> DependentsWalk:
    """Entities that fail when ``ref`` fails, nearest first; one query per level, plus one probe.

    A node is reported once, at its shortest distance; the walk stops at ``max_depth`` hops or
    ``limit`` entities and then says ``truncated`` if anything was left unvisited. Edges are taken
    in code-point order of (origin, relation, reached), so ties always resolve the same way.
    """
    return _walk(ref, _sorted_edges, max_depth=max_depth, limit=limit)


def dependencies_of(ref: str, *, max_depth: int = MAX_DEPTH, limit: int = MAX_DEPENDENTS) -> DependentsWalk:
    """Entities whose failure makes ``ref`` fail: the reverse of ``dependents_of``, same rules.

    Followed from ``ref``'s side: what it depends on (``dependsOn``, or listed as ``dependencyOf``
    them), the APIs it consumes, and for an API the components that provide it.
    """
    return _walk(ref, lambda frontier, slots_left: _sorted_dependency_edges(frontier), max_depth=max_depth, limit=limit)


def _walk(ref: str, edges_of, *, max_depth: int, limit: int) -> DependentsWalk:
    """Breadth-first from ``ref`` along ``edges_of(frontier, slots_left)``, one call per level."""
    walk = DependentsWalk()
    paths: dict[str, list[dict[str, str]]] = {ref: []}
    frontier = [ref]
    for depth in range(1, max_depth + 2):
        next_frontier: list[str] = []
        for origin, relation, reached in edges_of(frontier, lambda: limit - len(walk.items)):
            if reached in paths:
                continue
            if depth > max_depth or len(walk.items) >= limit:
                walk.truncated = True
                return walk
            paths[reached] = [*paths[origin], {"type": relation, "targetRef": reached}]
            walk.items.append(Dependent(reached, depth, paths[reached]))
            next_frontier.append(reached)
        if not next_frontier:
            break
        frontier = next_frontier
    return walk


def _sorted_edges(frontier: list[str], slots_left) -> Iterator[tuple[str, str, str]]:
    """The level's edges ``(origin, relation read from X's side, reached)`` in code-point order."""
    if connection.vendor == "postgresql":
        yield from _sorted_edges_in_chunks(frontier, slots_left)
    else:
        yield from _sorted_edges_in_python(frontier)


def _sorted_edges_in_python(frontier: list[str]) -> list[tuple[str, str, str]]:
    rows = Relation.objects.filter(
        Q(type__in=_BY_TARGET, target_ref__any=frontier) | Q(type__in=_BY_SOURCE, source_ref__any=frontier)
    ).values_list("source_ref", "type", "target_ref")
    return sorted(
        (target, _BY_TARGET[relation], source) if relation in _BY_TARGET else (source, relation, target)
        for source, relation, target in rows
    )


# Edges "X fails if Y fails", read from X's side, as (relation stored, relation read from X's side).
# X's own ``dependsOn`` and ``consumesApi`` rows start at X; a ``dependencyOf`` row naming X and a
# ``providesApi`` row for API X end at X.
_DEPENDENCY_BY_SOURCE = {"dependsOn": "dependsOn", "consumesApi": "consumesApi"}
_DEPENDENCY_BY_TARGET = {"dependencyOf": "dependsOn", "providesApi": "apiProvidedBy"}


def _sorted_dependency_edges(frontier: list[str]) -> list[tuple[str, str, str]]:
    """The level's dependency edges ``(origin, relation, reached)`` in code-point order.

    Read whole on every database: an entity depends on a handful of things, unlike a shared API
    with thousands of consumers, so there is no fan-out worth reading in chunks.
    """
    rows = Relation.objects.filter(
        Q(type__in=_DEPENDENCY_BY_SOURCE, source_ref__any=frontier)
        | Q(type__in=_DEPENDENCY_BY_TARGET, target_ref__any=frontier)
    ).values_list("source_ref", "type", "target_ref")
    return sorted(
        (source, _DEPENDENCY_BY_SOURCE[relation], target)
        if relation in _DEPENDENCY_BY_SOURCE
        else (target, _DEPENDENCY_BY_TARGET[relation], source)
        for source, relation, target in rows
    )


# The same edges, sorted by PostgreSQL in code-point order (COLLATE "C", as Python sorts) and read
# in chunks after a keyset, so a level that only has a few slots left never ships every edge.
_EDGES_SQL = """
SELECT origin, relation, reached FROM (
    SELECT target_ref AS origin,
           CASE type WHEN 'dependsOn' THEN 'dependencyOf' ELSE 'apiConsumedBy' END AS relation,
           source_ref AS reached
    FROM catalog_relation WHERE type IN ('dependsOn', 'consumesApi') AND target_ref = ANY(%s)
    UNION ALL
    SELECT source_ref, type, target_ref
    FROM catalog_relation WHERE type IN ('dependencyOf', 'providesApi') AND source_ref = ANY(%s)
) AS edge
WHERE (origin COLLATE "C", relation COLLATE "C", reached COLLATE "C") > (%s, %s, %s)
ORDER BY origin COLLATE "C", relation COLLATE "C", reached COLLATE "C"
LIMIT %s
"""


def _sorted_edges_in_chunks(frontier: list[str], slots_left) -> Iterator[tuple[str, str, str]]:
    after = ("", "", "")
    while True:
        # Edges to already-seen entities take no slot, so ask for a margin beyond what is left.
        size = max(200, 2 * slots_left() + 2)
        with connection.cursor() as cursor:
            cursor.execute(_EDGES_SQL, [frontier, frontier, *after, size])
            rows = cursor.fetchall()
        yield from rows
        if len(rows) < size:
            return
        after = rows[-1]


def organisation_of(group_ref: str) -> tuple[list[str], list[str]]:
    """A group's members and its chain of parents up to the root (nearest first), in one query.

    A group with several parents follows its own ``spec.parent`` (``childOf``) first, else the
    first group listing it as a child (``parentOf``), by ref in code-point order. The chain stops at
    the first group seen twice (a cycle) or after ``MAX_PARENTS`` hops.
    """
    collate = ' COLLATE "C"' if connection.vendor == "postgresql" else ""
    sql = f"""
        WITH RECURSIVE chain(ref, depth) AS (
            SELECT CAST(%s AS text), 0
            UNION ALL
            SELECT CAST(COALESCE(
                       (SELECT target_ref FROM catalog_relation WHERE source_ref = chain.ref AND type = 'childOf'
                        ORDER BY target_ref{collate} LIMIT 1),
                       (SELECT source_ref FROM catalog_relation WHERE target_ref = chain.ref AND type = 'parentOf'
                        ORDER BY source_ref{collate} LIMIT 1)) AS text),
                   depth + 1
            FROM chain WHERE chain.ref IS NOT NULL AND depth <= %s
        )
        SELECT 'parent', ref, depth FROM chain WHERE depth > 0 AND ref IS NOT NULL
        UNION ALL
        SELECT 'member', target_ref, 0 FROM catalog_relation WHERE source_ref = %s AND type = 'hasMember'
        UNION ALL
        SELECT 'member', source_ref, 0 FROM catalog_relation WHERE target_ref = %s AND type = 'memberOf'
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [group_ref, MAX_PARENTS, group_ref, group_ref])
        rows = cursor.fetchall()
    members = sorted({ref for role, ref, _ in rows if role == "member"})
    parents: list[str] = []
    seen = {group_ref}
    for _, ref, _ in sorted((row for row in rows if row[0] == "parent"), key=lambda row: row[2]):
        if ref in seen or len(parents) >= MAX_PARENTS:
            break
        parents.append(ref)
        seen.add(ref)
    return members, parents


@dataclass(frozen=True)
class EntitySummary:
    """What the lookup shows of an entity it reaches: enough to name it and reach its people."""

    ref: str
    kind: str
    name: str
    title: str
    display_name: str
    email: str | None
    owner_ref: str | None = None


def entities_by_ref(
    refs: set[str], *, with_profile: bool = False, with_owner: bool = False
) -> dict[str, EntitySummary]:
    """Summaries of the catalog's entities among ``refs``, in one query.

    Only people (owners, members) need ``with_profile``: it reads the profile out of the body,
    which costs a body read per row; everything else comes from plain columns. ``with_owner``
    adds each entity's owner (its first ``ownedBy`` target) from the relation index.
    """
    if not refs:
        return {}
    qs = Entity.objects.filter(ref__any=refs)
    no_owner = Value(None, output_field=CharField())
    qs = qs.with_owner_ref() if with_owner else qs.annotate(owner_ref=no_owner)
    if with_profile:
        qs = qs.annotate(display=KT("body__spec__profile__displayName"), email=KT("body__spec__profile__email"))
    else:
        qs = qs.annotate(display=Value(None, output_field=CharField()), email=Value(None, output_field=CharField()))
    rows = qs.values_list("ref", "kind", "name", "title", "display", "email", "owner_ref")
    return {
        ref: EntitySummary(ref, kind, name, title or name, title or display or name, email, owner)
        for ref, kind, name, title, display, email, owner in rows
    }


def profile_email(entity: Entity | None) -> str | None:
    if entity is None:
        return None
    profile = (entity.body.get("spec") or {}).get("profile") or {}
    email = profile.get("email") if isinstance(profile, dict) else None
    return email if isinstance(email, str) else None


def display_name(entity: Entity) -> str:
    profile = (entity.body.get("spec") or {}).get("profile") or {}
    name = profile.get("displayName") if isinstance(profile, dict) else None
    return entity.body.get("metadata", {}).get("title") or name or entity.name


def owner_lookup(entity: Entity, *, max_depth: int = MAX_DEPTH, limit: int = MAX_DEPENDENTS) -> dict[str, Any]:
    """The owner-lookup answer for ``entity``: owner, contacts, members, parents and dependents."""
    walk = dependents_of(entity.ref, max_depth=max_depth, limit=limit)
    dependent_refs = [item.ref for item in walk.items]
    loaded = entities_by_ref({entity.ref, *dependent_refs}, with_owner=True)
    owners = {ref: summary.owner_ref for ref, summary in loaded.items() if summary.owner_ref}
    owner_ref = owners.get(entity.ref)
    is_group = bool(owner_ref) and owner_ref.startswith("group:")
    members, parents = organisation_of(owner_ref) if is_group else ([], [])
    loaded.update(entities_by_ref({*owners.values(), *members, *parents}, with_profile=True))
    # The owner is shown in full (links, contacts); everything else only by its summary.
    owner = Entity.objects.filter(ref=owner_ref).for_output().first() if owner_ref in loaded else None

    answer: dict[str, Any] = {
        "entity": {
            "entityRef": entity.ref,
            "kind": entity.body.get("kind", entity.kind),
            "name": entity.name,
            "title": entity.display_title,
            "description": entity.body.get("metadata", {}).get("description"),
        },
        "ownerRef": owner_ref,
        "owner": None,
        "ownerMissing": None,
    }
    if owner_ref is None:
        answer["ownerMissing"] = f"{entity.ref} has no owner (no ownedBy relation)"
    elif owner is None:
        answer["ownerMissing"] = f"its owner {owner_ref} is not in the catalog"
    else:
        answer["owner"] = {
            "entityRef": owner.ref,
            "kind": owner.body.get("kind", owner.kind),
            "title": owner.display_title,
            "displayName": display_name(owner),
            "email": profile_email(owner),
            "links": owner.body.get("metadata", {}).get("links") or [],
            "members": [_person(ref, loaded.get(ref)) for ref in members],
            "parents": [{"entityRef": ref, "title": loaded[ref].title if ref in loaded else None} for ref in parents],
        }
    # The owner's ways in first, then the entity's own (a service's channel beats the team's).
    answer["contacts"] = [*(contacts_of(owner) if owner else []), *contacts_of(entity)]
    answer["dependents"] = {
        "items": [reached_row(item, loaded, owners) for item in walk.items],
        "truncated": walk.truncated,
        "maxDepth": max_depth,
        "limit": limit,
    }
    return answer


def _person(ref: str, entity: EntitySummary | None) -> dict[str, Any]:
    if entity is None:
        return {"entityRef": ref, "name": ref.partition("/")[2], "displayName": None, "email": None}
    return {"entityRef": ref, "name": entity.name, "displayName": entity.display_name, "email": entity.email}


def reached_row(item: Dependent, loaded: dict[str, EntitySummary], owners: dict[str, str]) -> dict[str, Any]:
    """A walk's entity as pages and the API show it: kind, title, hops, path and owner."""
    entity = loaded.get(item.ref)
    owner_ref = owners.get(item.ref)
    owner = loaded.get(owner_ref) if owner_ref else None
    return {
        "entityRef": item.ref,
        "kind": entity.kind if entity else item.ref.partition(":")[0],
        "title": entity.title if entity else None,
        "inCatalog": entity is not None,
        "depth": item.depth,
        "via": item.via,
        "ownerRef": owner_ref,
        "ownerEmail": owner.email if owner else None,
    }

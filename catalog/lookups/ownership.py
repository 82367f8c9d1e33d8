"""Who owns an entity, how to reach them, and what depends on it, in a bounded number of queries.

The dependents walk is one recursive query (``walks.py``), paged: each page lists ``limit``
dependents and names the next page by an opaque cursor (``paging.py``). Every entity a page
reaches is loaded in one batched query, so the query count is the same whatever the fan-out.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import CharField, Value
from django.db.models.fields.json import KT

from ..cache import cached_for_version
from ..models import Entity
from .paging import encode_page_cursor
from .walks import DEPENDENCIES, DEPENDENTS, Dependent, DependentsWalk, walk

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
# The most dependents a walk lists, over all its pages: a shared API can have thousands of
# transitive dependents, and each page re-walks up to its own end.
MAX_DEPENDENTS = 500
# Dependents per page: the default and the most one page may ask for.
DEFAULT_PAGE = 50
MAX_PAGE = 200
# A group can have thousands of members; the lookup lists the first ones by ref and counts all.
MAX_MEMBERS = 100
# A group hierarchy deeper than this is a modelling error (or a cycle the seen-set missed).
MAX_PARENTS = 50


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
    """Entities that fail when ``ref`` fails, nearest first, in one query (``walks.walk``).

    A node is reported once, at its shortest distance; the list stops at ``max_depth`` hops or
    ``limit`` entities and then says ``truncated`` if anything was left unvisited.
    """
    return walk(ref, DEPENDENTS, max_depth=max_depth, wanted=limit + 1).first(limit)


def dependencies_of(ref: str, *, max_depth: int = MAX_DEPTH, limit: int = MAX_DEPENDENTS) -> DependentsWalk:
    """Entities whose failure makes ``ref`` fail: the reverse of ``dependents_of``, same rules.

    Followed from ``ref``'s side: what it depends on (``dependsOn``, or listed as ``dependencyOf``
    them), the APIs it consumes, and for an API the components that provide it.
    """
    return walk(ref, DEPENDENCIES, max_depth=max_depth, wanted=limit + 1).first(limit)


@dataclass
class DependentsPage:
    """One page of a dependents walk capped at ``MAX_DEPENDENTS``.

    ``truncated`` (the cap or ``max_depth`` cut the walk) is only known once the walk has been
    read to its end, so it is None on every page but the last.
    """

    items: list[Dependent]
    next_offset: int | None
    truncated: bool | None


def dependents_page(ref: str, *, max_depth: int, offset: int, limit: int) -> DependentsPage:
    """Dependents ``offset`` to ``offset + limit`` of the walk from ``ref``, in one query.

    The walk is re-read up to the page's end (plus one, to know whether another page follows), so
    pages of the same catalog tile the capped walk exactly: no entity twice, none skipped.
    """
    end = min(offset + limit, MAX_DEPENDENTS)
    found = walk(ref, DEPENDENTS, max_depth=max_depth, wanted=end + 1)
    listed = found.reached[:MAX_DEPENDENTS]
    has_more = len(listed) > offset + limit
    return DependentsPage(
        items=listed[offset : offset + limit],
        next_offset=offset + limit if has_more else None,
        truncated=None if has_more else len(found.reached) > MAX_DEPENDENTS or found.deeper,
    )


def organisation_of(group_ref: str) -> tuple[list[str], list[str]]:
    """A group's members (all of them) and its chain of parents up to the root, nearest first."""
    organisation = organisation_page(group_ref, member_limit=None)
    return organisation.members, organisation.parents


@dataclass(frozen=True)
class Organisation:
    """A group's first members by ref, how many it has in all, and its parent chain."""

    members: list[str]
    member_count: int
    parents: list[str]


def organisation_page(group_ref: str, *, member_limit: int | None) -> Organisation:
    """A group's members (the first ``member_limit`` by ref, at least 1, or all; and their count) and its chain of
    parents up to the root (nearest first), in one query.

    A group with several parents follows its own ``spec.parent`` (``childOf``) first, else the
    first group listing it as a child (``parentOf``), by ref in code-point order. The chain stops at
    the first group seen twice (a cycle) or after ``MAX_PARENTS`` hops. A member may be listed on
    both sides (``hasMember`` and ``memberOf``) and counts once.
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
        SELECT 'member', ref, total FROM (
            SELECT ref, count(*) OVER () AS total FROM (
                SELECT target_ref AS ref FROM catalog_relation WHERE source_ref = %s AND type = 'hasMember'
                UNION
                SELECT source_ref FROM catalog_relation WHERE target_ref = %s AND type = 'memberOf'
            ) AS member
            ORDER BY ref{collate} LIMIT %s
        ) AS listed
    """
    limit = 2**62 if member_limit is None else member_limit
    with connection.cursor() as cursor:
        cursor.execute(sql, [group_ref, MAX_PARENTS, group_ref, group_ref, limit])
        rows = cursor.fetchall()
    members = sorted(ref for role, ref, _ in rows if role == "member")
    member_count = next((total for role, _, total in rows if role == "member"), 0)
    parents: list[str] = []
    seen = {group_ref}
    for _, ref, _ in sorted((row for row in rows if row[0] == "parent"), key=lambda row: row[2]):
        if ref in seen or len(parents) >= MAX_PARENTS:
            break
        parents.append(ref)
        seen.add(ref)
    return Organisation(members, member_count, parents)


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


ANSWER_CACHE_SECONDS = 600


def cached_owner_lookup(
    entity: Entity, *, max_depth: int = MAX_DEPTH, limit: int = DEFAULT_PAGE, offset: int = 0
) -> dict[str, Any]:
    """``owner_lookup``, cached until the catalog changes: on-call tools, dashboards and the entity
    and whois pages ask for the same few entities again and again, and every write bumps the
    catalog version the entry carries. The answer depends on nothing about the caller (it reads
    every entity), so the API and the pages share entries."""
    digest = hashlib.sha1(f"{entity.ref}\n{max_depth}\n{limit}\n{offset}".encode()).hexdigest()
    return cached_for_version(
        f"catalog:owner-lookup:{digest}",
        lambda: owner_lookup(entity, max_depth=max_depth, limit=limit, offset=offset),
        ANSWER_CACHE_SECONDS,
    )


def owner_lookup(
    entity: Entity, *, max_depth: int = MAX_DEPTH, limit: int = DEFAULT_PAGE, offset: int = 0
) -> dict[str, Any]:
    """The owner-lookup answer for ``entity``: owner, contacts, members, parents and one page of
    dependents (``limit`` of them from ``offset``), in a fixed number of queries."""
    page = dependents_page(entity.ref, max_depth=max_depth, offset=offset, limit=limit)
    loaded = entities_by_ref({entity.ref, *(item.ref for item in page.items)}, with_owner=True)
    owners = {ref: summary.owner_ref for ref, summary in loaded.items() if summary.owner_ref}
    owner_ref = owners.get(entity.ref)
    is_group = bool(owner_ref) and owner_ref.startswith("group:")
    organisation = organisation_page(owner_ref, member_limit=MAX_MEMBERS) if is_group else Organisation([], 0, [])
    people = {*owners.values(), *organisation.members, *organisation.parents}
    loaded.update(entities_by_ref(people, with_profile=True))
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
            "members": [_person(ref, loaded.get(ref)) for ref in organisation.members],
            "memberCount": organisation.member_count,
            "parents": [
                {"entityRef": ref, "title": loaded[ref].title if ref in loaded else None}
                for ref in organisation.parents
            ],
        }
    # The owner's ways in first, then the entity's own (a service's channel beats the team's).
    answer["contacts"] = [*(contacts_of(owner) if owner else []), *contacts_of(entity)]
    next_cursor = None if page.next_offset is None else encode_page_cursor(entity.ref, max_depth, page.next_offset)
    answer["dependents"] = {
        "items": [reached_row(item, loaded, owners) for item in page.items],
        "pageInfo": {"nextCursor": next_cursor} if next_cursor else {},
        "hasMore": next_cursor is not None,
        "truncated": page.truncated,
        "maxDepth": max_depth,
        "limit": limit,
        "maxDependents": MAX_DEPENDENTS,
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

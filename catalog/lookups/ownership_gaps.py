"""Ownership gaps: entities nobody (reachable) owns, and groups nobody is in. Reads only.

The gaps are found set by set, each on an index, then cached until the catalog changes:

- owners: the distinct ``ownedBy`` targets (a partial index holds only those rows, so this reads
  one small index, not every relation), each looked up once by ref: a catalog of 100,000 entities
  has a thousand or so owners, not 100,000;
- their entities: the ``ownedBy`` rows of the owners that are missing or orphaned (``target_ref``
  index);
- groups without members and systems without an owner: the ``(kind, ref)`` index with scalar
  ``LIMIT 1`` probes that must find nothing.

A page is then a slice of the sorted gap refs after the cursor and one query for its rows; the
cost of a page does not depend on how rare gaps are.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from ..models import Entity, Relation
from ..pages.common import cached

UNRESOLVED_OWNER = "unresolved-owner"
ORPHANED_OWNER = "orphaned-owner"
EMPTY_GROUP = "empty-group"
OWNERLESS_SYSTEM = "ownerless-system"
GAP_TYPES: dict[str, str] = {
    UNRESOLVED_OWNER: "Owner not in the catalog",
    ORPHANED_OWNER: "Owner is orphaned",
    EMPTY_GROUP: "Group without members",
    OWNERLESS_SYSTEM: "System without an owner",
}
MAX_LIMIT = 200
DEFAULT_LIMIT = 50


def _first(qs: QuerySet[Any], field: str) -> Subquery:
    """A scalar subquery (``LIMIT 1``): PostgreSQL probes an index per row for it, where it would
    hash a whole ``NOT EXISTS`` (a Seq Scan of every relation row)."""
    return Subquery(qs.order_by().values(field)[:1])


def _relations(kind: str, column: str = "source_ref", outer: str = "ref") -> QuerySet[Relation]:
    return Relation.objects.filter(**{column: OuterRef(outer)}, type=kind)


# Gaps of one kind of entity, each a probe that must find nothing.
_KIND_GAPS: dict[str, tuple[str, dict[str, Subquery]]] = {
    EMPTY_GROUP: (
        "Group",
        {
            "has_member": _first(_relations("hasMember"), "id"),
            "member_of": _first(_relations("memberOf", "target_ref"), "id"),
        },
    ),
    OWNERLESS_SYSTEM: ("System", {"owner_ref": _first(_relations("ownedBy"), "target_ref")}),
}


def _part_of(prefix: str, source: str = "ref") -> QuerySet[Relation]:
    return _relations("partOf", outer=source).filter(target_ref__startswith=prefix)


def domain_of() -> Coalesce:
    """An entity's domain: a system's own ``partOf`` domain, else its system's."""
    via_system = _part_of("system:").annotate(domain=_first(_part_of("domain:", "target_ref"), "target_ref"))
    return Coalesce(_first(_part_of("domain:"), "target_ref"), _first(via_system, "domain"))


@dataclass(frozen=True)
class GapSet:
    """Every gap of a query: refs in code-point order, and each ref's gap types."""

    refs: list[str]
    types: dict[str, tuple[str, ...]]


def _chunks(values: list[str], size: int = 5000) -> Iterator[list[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _owner_gaps(wanted: list[str], found: dict[str, list[str]]) -> None:
    targets = list(Relation.objects.filter(type="ownedBy").order_by().values_list("target_ref", flat=True).distinct())
    orphan: dict[str, bool] = {}
    for chunk in _chunks(targets):
        orphan.update(Entity.objects.filter(ref__in=chunk).order_by().values_list("ref", "is_orphan"))
    owners = {
        UNRESOLVED_OWNER: [target for target in targets if target not in orphan],
        ORPHANED_OWNER: [target for target in targets if orphan.get(target)],
    }
    for gap in (UNRESOLVED_OWNER, ORPHANED_OWNER):
        if gap not in wanted:
            continue
        for chunk in _chunks(owners[gap]):
            owned = Relation.objects.filter(type="ownedBy", target_ref__in=chunk).order_by()
            for source in owned.values_list("source_ref", flat=True):
                if gap not in found[source]:
                    found[source].append(gap)


def _kind_gaps(wanted: list[str], found: dict[str, list[str]]) -> None:
    for gap, (kind, probes) in _KIND_GAPS.items():
        if gap in wanted:
            qs = Entity.objects.filter(kind=kind).annotate(**probes)
            qs = qs.filter(**{f"{name}__isnull": True for name in probes}).order_by()
            for ref in qs.values_list("ref", flat=True):
                found[ref].append(gap)


def gap_set(gap_types: list[str] | None, kinds: list[str] | None) -> GapSet:
    """The gaps of ``gap_types`` (all when empty) among ``kinds`` (any case; all when empty)."""

    def compute() -> GapSet:
        wanted = gap_types or list(GAP_TYPES)
        found: dict[str, list[str]] = defaultdict(list)
        _owner_gaps(wanted, found)
        _kind_gaps(wanted, found)
        lowered = {kind.lower() for kind in kinds or []}
        refs = sorted(ref for ref in found if not lowered or ref.partition(":")[0].lower() in lowered)
        order = {gap: index for index, gap in enumerate(wanted)}
        return GapSet(refs, {ref: tuple(sorted(found[ref], key=order.__getitem__)) for ref in refs})

    return cached("ownership-gap-set", (sorted(gap_types or []), sorted(kinds or [])), compute)


@dataclass
class GapPage:
    items: list[dict]
    next_after: str | None


def gap_page(gap_types: list[str] | None, kinds: list[str] | None, *, limit: int, after: str = "") -> GapPage:
    """One page in ref order after ``after``: a slice of the gap set, and one query for its rows."""
    gaps = gap_set(gap_types, kinds)
    start = bisect.bisect_right(gaps.refs, after) if after else 0
    refs = gaps.refs[start : start + limit + 1]
    more = len(refs) > limit
    refs = refs[:limit]
    rows = (
        Entity.objects.filter(ref__in=refs)
        .annotate(owner_ref=_first(_relations("ownedBy"), "target_ref"), domain_ref=domain_of())
        .only("id", "ref", "kind", "namespace", "name", "title")
        .order_by("ref")
    )
    items = [
        {
            "entityRef": row.ref,
            "kind": row.kind,
            "name": row.name,
            "title": row.display_title,
            "url": row.get_absolute_url(),
            "gapTypes": list(gaps.types[row.ref]),
            "ownerRef": row.owner_ref,
            "domainRef": row.domain_ref,
        }
        for row in rows
    ]
    return GapPage(items=items, next_after=refs[-1] if more and refs else None)


def gap_counts(gap_types: list[str] | None, kinds: list[str] | None) -> dict:
    """Gaps in all, by gap type, by kind and by domain; cached until the catalog changes."""

    def compute() -> dict:
        gaps = gap_set(gap_types, kinds)
        by_type = {gap: 0 for gap in gap_types or list(GAP_TYPES)}
        by_kind: dict[str, int] = {}
        by_domain: dict[str, int] = {}
        for chunk in _chunks(gaps.refs):
            rows = Entity.objects.filter(ref__in=chunk).annotate(domain_ref=domain_of()).order_by()
            for ref, kind, domain in rows.values_list("ref", "kind", "domain_ref"):
                by_kind[kind] = by_kind.get(kind, 0) + 1
                by_domain[domain or ""] = by_domain.get(domain or "", 0) + 1
                for gap in gaps.types[ref]:
                    by_type[gap] += 1
        return {
            "total": len(gaps.refs),
            "byGapType": by_type,
            "byKind": dict(sorted(by_kind.items())),
            "byDomain": dict(sorted(by_domain.items())),
        }

    return cached("ownership-gaps", (sorted(gap_types or []), sorted(kinds or [])), compute)

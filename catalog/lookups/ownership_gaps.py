"""Ownership gaps: entities nobody (reachable) owns, and groups nobody is in. Reads only.

Every gap is an anti-join on the relation table's indexes, written as scalar ``LIMIT 1`` probes that
must find nothing (``IS NULL``): under ``OR`` PostgreSQL would hash a whole ``NOT EXISTS`` (a Seq Scan
of every relation row), where a scalar probe stays one index lookup per entity. A page walks the
entity ``ref`` index (``kind, ref`` for a kind) and stops after ``limit`` gaps: no query sorts the
matches and the query count does not grow with the rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, OuterRef, Q, QuerySet, Subquery
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
    hash a whole ``EXISTS`` under ``OR`` (a Seq Scan of every relation row)."""
    return Subquery(qs.order_by().values(field)[:1])


def _relations(kind: str, column: str = "source_ref", outer: str = "ref") -> QuerySet[Relation]:
    return Relation.objects.filter(**{column: OuterRef(outer)}, type=kind)


def _annotated() -> QuerySet[Entity]:
    """Entities with ``owner_ref``, ``owner_orphan`` (null when the owner is not in the catalog),
    ``member`` (any membership row, either direction) and each gap type's flag."""
    qs = Entity.objects.annotate(
        owner_ref=_first(_relations("ownedBy"), "target_ref"),
        owner_orphan=_first(Entity.objects.filter(ref=OuterRef("owner_ref")), "is_orphan"),
        has_member=_first(_relations("hasMember"), "id"),
        member_of=_first(_relations("memberOf", "target_ref"), "id"),
    )
    return qs.annotate(**{_flag(gap): ExpressionWrapper(q, output_field=BooleanField()) for gap, q in _GAPS.items()})


_GAPS: dict[str, Q] = {
    UNRESOLVED_OWNER: Q(owner_ref__isnull=False, owner_orphan__isnull=True),
    ORPHANED_OWNER: Q(owner_orphan=True),
    EMPTY_GROUP: Q(kind="Group", has_member__isnull=True, member_of__isnull=True),
    OWNERLESS_SYSTEM: Q(kind="System", owner_ref__isnull=True),
}


_ONLY_KIND = {EMPTY_GROUP: "Group", OWNERLESS_SYSTEM: "System"}


def _flag(gap: str) -> str:
    return f"gap_{gap.replace('-', '_')}"


def _part_of(prefix: str, source: str = "ref") -> QuerySet[Relation]:
    return _relations("partOf", outer=source).filter(target_ref__startswith=prefix)


def domain_of() -> Coalesce:
    """An entity's domain: a system's own ``partOf`` domain, else its system's."""
    via_system = _part_of("system:").annotate(domain=_first(_part_of("domain:", "target_ref"), "target_ref"))
    return Coalesce(_first(_part_of("domain:"), "target_ref"), _first(via_system, "domain"))


def gaps_queryset(gap_types: list[str] | None = None, kinds: list[str] | None = None) -> QuerySet[Entity]:
    """Entities with at least one of ``gap_types`` (all when None), of ``kinds`` (any case)."""
    match = Q()
    for gap in gap_types or list(GAP_TYPES):
        match |= _GAPS[gap]
    qs = _annotated().filter(match)
    if gap_types and all(gap in _ONLY_KIND for gap in gap_types):
        # Spelled out so a kind-specific gap walks the (kind, ref) index, not every entity.
        qs = qs.filter(kind__in=sorted({_ONLY_KIND[gap] for gap in gap_types}))
    if kinds:
        any_kind = Q()
        for kind in kinds:
            any_kind |= Q(kind__iexact=kind)
        qs = qs.filter(any_kind)
    return qs.annotate(domain_ref=domain_of())


@dataclass
class GapPage:
    items: list[dict]
    next_after: str | None


def gap_page(gap_types: list[str] | None, kinds: list[str] | None, *, limit: int, after: str = "") -> GapPage:
    """One page in ref order after ``after`` (keyset paging on the ``ref`` index): one query."""
    wanted = gap_types or list(GAP_TYPES)
    qs = gaps_queryset(gap_types, kinds).order_by("ref")
    if after:
        qs = qs.filter(ref__gt=after)
    rows = list(qs.only("id", "ref", "kind", "namespace", "name", "title")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    items = [
        {
            "entityRef": row.ref,
            "kind": row.kind,
            "name": row.name,
            "title": row.display_title,
            "url": row.get_absolute_url(),
            "gapTypes": [gap for gap in wanted if getattr(row, _flag(gap))],
            "ownerRef": row.owner_ref,
            "domainRef": row.domain_ref,
        }
        for row in rows
    ]
    return GapPage(items=items, next_after=rows[-1].ref if more and rows else None)


def gap_counts(gap_types: list[str] | None, kinds: list[str] | None) -> dict:
    """Gaps in all, by gap type, by kind and by domain; cached until the catalog changes."""

    def compute() -> dict:
        wanted = gap_types or list(GAP_TYPES)
        by_type = {gap: 0 for gap in wanted}
        by_kind: dict[str, int] = {}
        by_domain: dict[str, int] = {}
        total = 0
        fields = ["kind", "domain_ref", *(_flag(gap) for gap in wanted)]
        for kind, domain, *flags in gaps_queryset(gap_types, kinds).order_by().values_list(*fields).iterator():
            total += 1
            by_kind[kind] = by_kind.get(kind, 0) + 1
            by_domain[domain or ""] = by_domain.get(domain or "", 0) + 1
            for gap, flag in zip(wanted, flags, strict=True):
                by_type[gap] += bool(flag)
        return {
            "total": total,
            "byGapType": by_type,
            "byKind": dict(sorted(by_kind.items())),
            "byDomain": dict(sorted(by_domain.items())),
        }

    return cached("ownership-gaps", (sorted(gap_types or []), sorted(kinds or [])), compute)

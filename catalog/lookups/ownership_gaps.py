"""Ownership gaps: entities nobody (reachable) owns, and groups nobody is in. Reads only.

Every gap is a SQL anti-join (``NOT EXISTS``) over the relation table's indexes, driven from the
entity table in ref order: a page walks the ``ref`` index and stops after ``limit`` gaps, so no
query sorts every match and the query count does not grow with the rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Subquery
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


def _owned_by() -> QuerySet[Relation]:
    return Relation.objects.filter(source_ref=OuterRef("ref"), type="ownedBy")


def _conditions() -> dict[str, Q]:
    """Each gap type as a condition on an entity row."""
    owner_exists = Entity.objects.filter(ref=OuterRef("target_ref"))
    return {
        UNRESOLVED_OWNER: Q(Exists(_owned_by().filter(~Exists(owner_exists)))),
        ORPHANED_OWNER: Q(Exists(_owned_by().filter(Exists(owner_exists.filter(is_orphan=True))))),
        EMPTY_GROUP: Q(kind="Group")
        & ~Q(Exists(Relation.objects.filter(source_ref=OuterRef("ref"), type="hasMember")))
        & ~Q(Exists(Relation.objects.filter(target_ref=OuterRef("ref"), type="memberOf"))),
        OWNERLESS_SYSTEM: Q(kind="System") & ~Q(Exists(_owned_by())),
    }


def _part_of(prefix: str, source: str = "ref") -> QuerySet[Relation]:
    return Relation.objects.filter(source_ref=OuterRef(source), type="partOf", target_ref__startswith=prefix)


def domain_of() -> Subquery:
    """An entity's domain: a system's own ``partOf`` domain, else its system's."""
    own = _part_of("domain:").order_by("target_ref").values("target_ref")[:1]
    via_system = (
        _part_of("system:")
        .order_by("target_ref")
        .annotate(domain=Subquery(_part_of("domain:", "target_ref").order_by("target_ref").values("target_ref")[:1]))
        .values("domain")[:1]
    )
    return Coalesce(Subquery(own), Subquery(via_system))


def gaps_queryset(gap_types: list[str] | None = None, kinds: list[str] | None = None) -> QuerySet[Entity]:
    """Entities with at least one of ``gap_types`` (all when None), of ``kinds`` (any case)."""
    conditions = _conditions()
    wanted = gap_types or list(GAP_TYPES)
    match = Q()
    for gap in wanted:
        match |= conditions[gap]
    qs = Entity.objects.filter(match)
    if kinds:
        any_kind = Q()
        for kind in kinds:
            any_kind |= Q(kind__iexact=kind)
        qs = qs.filter(any_kind)
    annotations = {f"gap_{gap.replace('-', '_')}": conditions[gap] for gap in wanted}
    return qs.annotate(
        **{name: ExpressionWrapper(q, output_field=BooleanField()) for name, q in annotations.items()},
        owner_ref=Subquery(
            Relation.objects.filter(source_ref=OuterRef("ref"), type="ownedBy")
            .order_by("target_ref")
            .values("target_ref")[:1]
        ),
        domain_ref=domain_of(),
    )


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
            "gapTypes": [gap for gap in wanted if getattr(row, f"gap_{gap.replace('-', '_')}")],
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
        fields = ["kind", "domain_ref", *(f"gap_{gap.replace('-', '_')}" for gap in wanted)]
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

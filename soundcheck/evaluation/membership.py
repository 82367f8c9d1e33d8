"""Which checks and tracks apply to which entities: one query (per chunk), whatever the number of scopes.

Which checks apply to an entity: those of every track whose filter selects it (and that track's
level), the check of every campaign whose filter selects it, and checks used by no track or
campaign, which apply to every entity.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from django.conf import settings
from django.db.models import Case, Value, When

from catalog.models import Entity

from ..plan import Plan, Scope
from ..selection import EntityFilterError, entity_filter_q

# ref -> (check ids, track ids) that apply to it, each sorted.
Members = dict[str, tuple[tuple[int, ...], tuple[int, ...]]]
NOTHING: tuple[tuple[int, ...], tuple[int, ...]] = ((), ())

Item = TypeVar("Item")


def batch_size() -> int:
    """Entities per batch of an evaluation and of the collectors (``SOUNDCHECK["BATCH_SIZE"]``)."""
    return int(getattr(settings, "SOUNDCHECK", {}).get("BATCH_SIZE", 1000))


def chunks(items: Sequence[Item], size: int) -> Iterable[Sequence[Item]]:
    """``items`` in consecutive slices of at most ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def membership(plan: Plan, refs: list[str] | None) -> Members:
    """Which checks and tracks apply to each entity (all entities when ``refs`` is None): one query
    (per chunk of ``refs``), every scope's filter an annotated boolean, so one evaluation costs one
    read whatever the number of scopes. Entities nothing applies to are left out."""
    annotations: dict[str, Any] = {}
    scopes: list[Scope] = []
    for scope in plan.scopes:
        try:
            condition = entity_filter_q(scope.entity_filter)
        except EntityFilterError:
            # Filters are validated on save; a row written around that selects nothing.
            continue
        name = f"in_scope_{len(scopes)}"
        annotations[name] = Case(When(condition, then=Value(True)), default=Value(False)) if condition else Value(True)
        scopes.append(scope)
    if not scopes:
        return {}
    combinations: dict[tuple[bool, ...], tuple[tuple[int, ...], tuple[int, ...]]] = {}
    members: Members = {}
    pieces: Iterable[Sequence[str] | None] = [None] if refs is None else chunks(refs, batch_size())
    for piece in pieces:
        queryset = Entity.objects.all() if piece is None else Entity.objects.filter(ref__in=piece)
        rows = queryset.annotate(**annotations).values_list("ref", *annotations).order_by()
        for ref, *selected in rows:
            key = tuple(selected)
            combination = combinations.get(key)
            if combination is None:
                check_ids: set[int] = set()
                track_ids: set[int] = set()
                for scope, is_selected in zip(scopes, key, strict=True):
                    if is_selected:
                        check_ids |= scope.check_ids
                        track_ids |= scope.track_ids
                combination = combinations[key] = (tuple(sorted(check_ids)), tuple(sorted(track_ids)))
            if combination[0] or combination[1]:
                members[ref] = combination
    return members

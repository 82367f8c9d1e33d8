"""The sets of entities a Soundcheck view covers: a team (optionally with its child teams), a system, an
organisation below a root group.

Only forward relation rows are stored, so each walk asks for a relation on one side and its reverse on
the other (``parentOf`` from the parent, ``childOf`` from the child). Group trees are walked breadth-first,
one query per level, at most ``MAX_DEPTH`` levels.
"""

from __future__ import annotations

from django.db.models import Q

from catalog.models import Relation

MAX_DEPTH = 10


def group_tree(group_ref: str, *, max_depth: int = MAX_DEPTH) -> dict[str, str]:
    """Every group below ``group_ref``, mapped to the child of ``group_ref`` it sits under; cycles are cut."""
    seen = {group_ref}
    frontier = {group_ref: ""}
    tree: dict[str, str] = {}
    for _ in range(max_depth):
        if not frontier:
            break
        rows = Relation.objects.filter(
            Q(type="parentOf", source_ref__in=list(frontier)) | Q(type="childOf", target_ref__in=list(frontier))
        ).values_list("type", "source_ref", "target_ref")
        found: dict[str, str] = {}
        for relation, source, target in sorted(rows):
            parent, child = (source, target) if relation == "parentOf" else (target, source)
            if child.startswith("group:") and child not in seen:
                seen.add(child)
                found[child] = frontier[parent] or child
        tree.update(found)
        frontier = found
    return tree


def descendant_groups(group_ref: str, *, max_depth: int = MAX_DEPTH) -> list[str]:
    """Every group below ``group_ref`` (children, their children...), sorted."""
    return sorted(group_tree(group_ref, max_depth=max_depth))


def system_parts(system_ref: str) -> list[str]:
    """The entities that are part of ``system_ref`` (``partOf`` it, or listed by its ``hasPart``)."""
    rows = Relation.objects.filter(
        Q(type="partOf", target_ref=system_ref) | Q(type="hasPart", source_ref=system_ref)
    ).values_list("type", "source_ref", "target_ref")
    return sorted({source if relation == "partOf" else target for relation, source, target in rows})

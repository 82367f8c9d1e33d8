"""Keeping each entity's served relations (both directions) in step with the relation rows.

A refresh collects the refs whose relations may have changed (entities it wrote and the targets of
their old and new relation rows) and restitches them once at the end; deletions restitch the
targets of the rows they remove. On PostgreSQL one set-based statement per chunk does the work.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from itertools import islice

from django.db import connection
from django.db.models import Q

from ..formats.relations import RELATION_PAIRS, both_directions
from ..models import Entity, EntityRelations, Relation

CHUNK = 5000
_REVERSE_CASE = " ".join(f"WHEN '{kind}' THEN '{reverse}'" for kind, reverse in RELATION_PAIRS.items())
_STITCH_SQL = f"""
INSERT INTO catalog_entityrelations (entity_id, relations)
SELECT e.id, coalesce((
    SELECT jsonb_agg(jsonb_build_object('type', r.type, 'targetRef', r.target) ORDER BY r.type, r.target)
    FROM (SELECT type, target_ref AS target FROM catalog_relation WHERE source_ref = e.ref
          UNION
          SELECT CASE type {_REVERSE_CASE} END, source_ref FROM catalog_relation WHERE target_ref = e.ref) AS r
), '[]'::jsonb)
FROM catalog_entity AS e
WHERE e.ref = ANY(%s)
ON CONFLICT (entity_id) DO UPDATE SET relations = EXCLUDED.relations
WHERE catalog_entityrelations.relations IS DISTINCT FROM EXCLUDED.relations
"""


def _chunks(refs: Iterable[str]) -> Iterable[list[str]]:
    iterator = iter(sorted(set(refs)))
    while chunk := list(islice(iterator, CHUNK)):
        yield chunk


def stitch(refs: Iterable[str]) -> None:
    """Recompute the served relations of the entities among ``refs`` (unknown refs are ignored)."""
    for chunk in _chunks(refs):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(_STITCH_SQL, [chunk])
        else:
            _stitch_in_python(chunk)


def _stitch_in_python(refs: list[str]) -> None:
    wanted = set(refs)
    served: dict[str, set[tuple[str, str]]] = defaultdict(set)
    rows = Relation.objects.filter(Q(source_ref__in=refs) | Q(target_ref__in=refs)).values_list(
        "source_ref", "type", "target_ref"
    )
    for row in rows:
        for source, kind, target in both_directions(row):
            if source in wanted:
                served[source].add((kind, target))
    EntityRelations.objects.bulk_create(
        [
            EntityRelations(
                entity_id=entity_id,
                relations=[{"type": kind, "targetRef": target} for kind, target in sorted(served[ref])],
            )
            for ref, entity_id in Entity.objects.filter(ref__in=refs).values_list("ref", "id")
        ],
        update_conflicts=True,
        unique_fields=["entity"],
        update_fields=["relations"],
    )


def relation_targets(entity_ids: Iterable) -> set[str]:
    """Targets of the rows these entities emit: the entities whose reverse relations they feed."""
    ids = list(entity_ids)
    targets: set[str] = set()
    for start in range(0, len(ids), CHUNK):
        targets.update(
            Relation.objects.filter(emitter_id__in=ids[start : start + CHUNK]).values_list("target_ref", flat=True)
        )
    return targets

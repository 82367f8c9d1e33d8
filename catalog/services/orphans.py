"""Orphans: entities their location no longer emits are kept, annotated and recorded, never deleted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..models import Entity, EntityHistory

ORPHAN_ANNOTATION = "backstage.io/orphan"
ORPHAN_SEARCH_KEY = f"metadata.annotations.{ORPHAN_ANNOTATION}"


def mark_orphaned(entity: Entity, now: datetime, *, commit: str = "") -> None:
    """Flag ``entity`` as orphaned: kept, annotated ``backstage.io/orphan``, and recorded in history."""
    body = entity.body
    body["metadata"].setdefault("annotations", {})[ORPHAN_ANNOTATION] = "true"
    entity.search[ORPHAN_SEARCH_KEY] = ["true"]
    entity.is_orphan = True
    entity.save(update_fields=["body", "search", "is_orphan", "updated_at"])
    EntityHistory.objects.create(
        entity_ref=entity.ref,
        entity_uid=entity.pk,
        generation=entity.generation,
        change=EntityHistory.Change.ORPHANED,
        body=body,
        location_ref=entity.location.location_ref,
        location_key=entity.location_key,
        commit=commit,
        recorded_at=now,
    )


def frozen_descendants(rows: list[tuple[Any, str, str, str]], blocked: set[str]) -> set[str]:
    """``blocked`` and every stored entity reached through them: a refused Location entity is not
    followed, so what it named keeps its last good version rather than becoming an orphan."""
    children: dict[str, list[str]] = {}
    for _, ref, _, parent_ref in rows:
        if parent_ref:
            children.setdefault(parent_ref, []).append(ref)
    frozen, pending = set(blocked), list(blocked)
    while pending:
        for child in children.get(pending.pop(), ()):
            if child not in frozen:
                frozen.add(child)
                pending.append(child)
    return frozen

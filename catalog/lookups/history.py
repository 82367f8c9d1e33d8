"""Reads of an entity's recorded history: pages, versions by generation, and body diffs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q

from ..models import EntityHistory

# Stamped on every write, so they differ between any two versions and say nothing about them.
IGNORED_PATHS = frozenset({"metadata.uid", "metadata.etag"})


def history_page(
    ref: str, *, limit: int, before: tuple[datetime, int] | None = None
) -> tuple[list[EntityHistory], tuple[datetime, int] | None]:
    """Up to ``limit`` versions newest first, older than ``before``; and the cursor of the next page."""
    rows = EntityHistory.objects.of_entity(ref).order_by("-recorded_at", "-id")
    if before is not None:
        recorded_at, pk = before
        rows = rows.filter(Q(recorded_at__lt=recorded_at) | Q(recorded_at=recorded_at, id__lt=pk))
    page = list(rows[: limit + 1])
    if len(page) <= limit:
        return page, None
    last = page[limit - 1]
    return page[:limit], (last.recorded_at, last.pk)


def version_of_generation(ref: str, generation: int) -> EntityHistory | None:
    """The last recorded body of that generation (orphaning and deletion keep the generation)."""
    return EntityHistory.objects.of_entity(ref).filter(generation=generation).order_by("-recorded_at", "-id").first()


def latest_version(ref: str) -> EntityHistory | None:
    return EntityHistory.objects.of_entity(ref).order_by("-recorded_at", "-id").first()


def diff_bodies(old: Any, new: Any, path: str = "") -> list[dict[str, Any]]:
    """JSON-patch-like changes from ``old`` to ``new`` with dotted paths, sorted by key.

    Objects are compared key by key; lists and scalars as whole values.
    """
    if isinstance(old, dict) and isinstance(new, dict):
        changes: list[dict[str, Any]] = []
        for key in sorted(old.keys() | new.keys(), key=str):
            child = f"{path}.{key}" if path else str(key)
            if child in IGNORED_PATHS:
                continue
            if key not in new:
                changes.append({"path": child, "op": "remove", "from": old[key], "to": None})
            elif key not in old:
                changes.append({"path": child, "op": "add", "from": None, "to": new[key]})
            else:
                changes += diff_bodies(old[key], new[key], child)
        return changes
    if old == new and type(old) is type(new):
        return []
    return [{"path": path, "op": "replace", "from": old, "to": new}]

"""The Dependencies tab's answer: what fails with an entity, and what it fails with.

Both walks are the owner lookup's (``ownership.py``), one recursive query each; owners and the
entities reached are then loaded in a fixed number of batched queries, whatever their count.
"""

from __future__ import annotations

from typing import Any

from .ownership import dependencies_of, dependents_of, entities_by_ref, reached_row

MAX_DEPTH = 10
MAX_ITEMS = 100


def failure_impact(ref: str, *, max_depth: int | None = None, limit: int | None = None) -> dict[str, Any]:
    """``dependents`` (fail when ``ref`` fails) and ``dependencies`` (``ref`` fails when they
    fail), each a list of rows with depth, path and owner, capped at ``limit`` with ``truncated``."""
    max_depth = MAX_DEPTH if max_depth is None else max_depth
    limit = MAX_ITEMS if limit is None else limit
    walks = {"dependents": dependents_of(ref, max_depth=max_depth, limit=limit)}
    walks["dependencies"] = dependencies_of(ref, max_depth=max_depth, limit=limit)
    reached = sorted({item.ref for walk in walks.values() for item in walk.items})
    loaded = entities_by_ref(set(reached), with_owner=True)
    owners = {ref: summary.owner_ref for ref, summary in loaded.items() if summary.owner_ref}
    loaded.update(entities_by_ref(set(owners.values()), with_profile=True))
    answer: dict[str, Any] = {"maxDepth": max_depth, "limit": limit}
    for name, walk in walks.items():
        answer[name] = {
            "items": [reached_row(item, loaded, owners) for item in walk.items],
            "truncated": walk.truncated,
        }
    return answer

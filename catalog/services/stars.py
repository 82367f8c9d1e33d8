"""Starring and unstarring entities: the only writes to ``Star``."""

from __future__ import annotations

from ..models import Entity, Star


def set_star(user, entity: Entity, starred: bool) -> bool:
    """Star (or unstar) ``entity`` for ``user``; asking twice for the same state changes nothing.

    Returns whether the entity is starred afterwards.
    """
    if starred:
        Star.objects.get_or_create(user=user, entity_ref=entity.ref)
    else:
        Star.objects.filter(user=user, entity_ref=entity.ref).delete()
    return starred

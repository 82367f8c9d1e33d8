"""Starring and unstarring entities: the only writes to ``Star``."""

from __future__ import annotations

from django.db import transaction

from ..audit import record_write
from ..models import Entity, Star


def set_star(user, entity: Entity, starred: bool) -> bool:
    """Star (or unstar) ``entity`` for ``user``; asking twice for the same state changes nothing.

    Returns whether the entity is starred afterwards. Only a change is recorded in the audit log.
    """
    with transaction.atomic():
        if starred:
            changed = Star.objects.get_or_create(user=user, entity_ref=entity.ref)[1]
        else:
            changed = Star.objects.filter(user=user, entity_ref=entity.ref).delete()[0] > 0
        if changed:
            record_write("entity.star" if starred else "entity.unstar", entity.ref)
    return starred

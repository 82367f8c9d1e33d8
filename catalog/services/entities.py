"""Writes on single entities outside a refresh."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from ..audit import record_write
from ..cache import bump_catalog_version
from ..models import Entity, EntityHistory
from .stitching import relation_targets, stitch


def delete_entity(entity: Entity) -> None:
    """Delete one entity now, recording it in history.

    As in Backstage, an entity its location still emits comes back at the next refresh.
    """
    with transaction.atomic():
        EntityHistory.deletion_of(entity, timezone.now()).save()
        record_write("entity.delete", entity.ref, location=entity.location.location_ref)
        peers = relation_targets([entity.pk])
        entity.delete()
        stitch(peers)
        # Its file is unchanged, so the next refresh would skip it: clear the digest so the file is
        # read again and the entity returns if the file still holds it.
        Entity.objects.filter(location_id=entity.location_id, location_key=entity.location_key).update(source_digest="")
        transaction.on_commit(bump_catalog_version)

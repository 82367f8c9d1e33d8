from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import models

from ..querysets import EntityHistoryQuerySet

if TYPE_CHECKING:
    from .entities import Entity


class EntityHistory(models.Model):
    """One recorded change of an entity: what it became, where it came from, and when.

    Rows outlive the entity, so "what did this look like last week" has an answer even after
    deletion.
    """

    class Change(models.TextChoices):
        CREATED = "created"
        UPDATED = "updated"
        ORPHANED = "orphaned"
        RECLAIMED = "reclaimed"
        DELETED = "deleted"

    entity_ref = models.CharField(max_length=400)
    entity_uid = models.UUIDField()
    generation = models.PositiveIntegerField()
    change = models.CharField(max_length=16, choices=Change.choices)
    # The entity body after the change (for a deletion, the last body it had).
    body = models.JSONField()
    # Top-level fields that differ from the previous version, e.g. ["metadata", "spec"].
    changed_fields = models.JSONField(default=list, blank=True)
    location_ref = models.TextField(blank=True)
    location_key = models.TextField(blank=True)
    commit = models.CharField(max_length=64, blank=True)
    recorded_at = models.DateTimeField(db_index=True)

    objects = EntityHistoryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "entity history"
        ordering = ["entity_ref", "-recorded_at", "-id"]
        indexes = [models.Index(fields=["entity_ref", "recorded_at"], name="catalog_history_entity_time")]

    def __str__(self) -> str:
        return f"{self.entity_ref} {self.change} at {self.recorded_at:%Y-%m-%d %H:%M}"

    @classmethod
    def deletion_of(cls, entity: Entity, when: datetime) -> EntityHistory:
        """The (unsaved) row recording that ``entity`` was deleted at ``when``, with its last body."""
        return cls(
            entity_ref=entity.ref,
            entity_uid=entity.pk,
            generation=entity.generation,
            change=cls.Change.DELETED,
            body=entity.body,
            location_ref=entity.location.location_ref,
            location_key=entity.location_key,
            recorded_at=when,
        )

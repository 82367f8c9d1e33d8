"""Write a location's processed entities to the database, changing only what changed.

Entities arrive in batches; each batch is one query to find what is stored and one transaction
to write the difference. An unchanged entity is not written at all and keeps its etag; a changed
one gets a new etag and generation and a history row. When the whole location has been read,
entities it no longer emits are marked orphaned (never silently deleted) unless their file failed
to read, in which case they keep their last good version.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from ..cache import bump_catalog_version
from ..models import Entity, EntityHistory, Location, Relation
from ..signals import announce_entities_changed
from .backoff import outcome_fields
from .bulk import JsonTexts, insert_rows, update_rows
from .entity_rows import (
    ENTITY_FIELDS,
    ENTITY_UPDATE_FIELDS,
    HISTORY_FIELDS,
    RELATION_FIELDS,
    as_row,
    batched,
    changed_fields,
    entity_values,
    with_term_columns,
)
from .errors import ProcessingError
from .orphans import frozen_descendants, mark_orphaned
from .processing import ProcessedEntity, ProcessingOutcome
from .read_ahead import read_ahead
from .stitching import relation_targets, stitch

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
# After a bulk load PostgreSQL's statistics are stale until autovacuum runs, and plans go bad
# (sequential scans of the relation table); a refresh this large analyzes what it wrote.
ANALYZE_AFTER_ROWS = 5000


@dataclass
class RefreshReport:
    """What one refresh did, for commands, the API and the location's record."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: int = 0
    orphaned: list[str] = field(default_factory=list)
    refused: list[ProcessingError] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    commit: str | None = None

    @property
    def ok(self) -> bool:
        return not any(error.level == "error" for error in self.refused)


class RefreshWriter:
    """Applies one refresh of ``location``: feed ``write_all`` the entities, then ``finish``."""

    def __init__(self, location: Location, outcome: ProcessingOutcome, now: datetime | None = None) -> None:
        self.location = location
        # Filled by the processor as it reads; the commit is known before the first batch is written.
        self.outcome = outcome
        self.now = now or timezone.now()
        self.report = RefreshReport()
        # Refs whose served relations may have changed; restitched once, at the end.
        self.affected: set[str] = set()

    def write_all(self, entities: Iterable[ProcessedEntity]) -> None:
        """Write ``entities`` batch by batch; the next batch is prepared while one is written."""
        # Closed at once if a write fails, so the reading thread stops with it.
        with closing(read_ahead(batched(entities, BATCH_SIZE))) as batches:
            for batch in batches:
                self._write_batch(batch)

    def write_edits(self, entities: list[ProcessedEntity]) -> RefreshReport:
        """Write entities edited outside a refresh (by a curator): the same rows, history and
        stitching as a refresh writes, but no orphan marking or location status, which only a full
        read of the location may decide."""
        with transaction.atomic():
            for batch in batched(entities, BATCH_SIZE):
                self._write_batch(batch)
            stitch(self.affected)
            if self.report.changed:
                transaction.on_commit(bump_catalog_version)
                announce_entities_changed(written=self.report.changed)
        return self.report

    def _write_batch(self, batch: list[ProcessedEntity]) -> None:
        stored = {
            row[0]: row
            for row in Entity.objects.filter(ref__any=[item.ref for item in batch]).values_list(
                "ref",
                "id",
                "location_id",
                "content_hash",
                "generation",
                "is_orphan",
                "processing_errors",
                "source_digest",
            )
        }
        created: list[tuple[ProcessedEntity, uuid.UUID]] = []
        updated: list[tuple[ProcessedEntity, tuple]] = []
        status_only: list[tuple[uuid.UUID, list[dict[str, Any]]]] = []
        new_digests: dict[str, list[uuid.UUID]] = {}
        for item in batch:
            row = stored.get(item.ref)
            if row is None:
                created.append((item, uuid.uuid4()))
                continue
            _, entity_id, location_id, stored_hash, _, is_orphan, stored_errors, stored_digest = row
            if location_id != self.location.pk and not is_orphan:
                self._conflict(item, location_id)
            elif stored_hash != item.content_hash or location_id != self.location.pk or is_orphan:
                updated.append((item, row))
            else:
                self.report.unchanged += 1
                status_items = [warning.as_status_item() for warning in item.warnings]
                if stored_errors != status_items:
                    status_only.append((entity_id, status_items))
                if stored_digest != item.source_digest:
                    new_digests.setdefault(item.source_digest, []).append(entity_id)
        history: list[tuple] = []
        # Bodies go to the entity rows and their history rows: encoded once for both.
        shared = JsonTexts()
        insert_fields, update_fields = with_term_columns(ENTITY_FIELDS), with_term_columns(ENTITY_UPDATE_FIELDS)
        with transaction.atomic():
            new_rows = [
                as_row(entity_values(item, uid, 1, self.location.pk, self.now), insert_fields) for item, uid in created
            ]
            insert_rows(Entity, insert_fields, new_rows, shared=shared)
            for item, uid in created:
                history.append(self._history_row(item, uid, 1, EntityHistory.Change.CREATED, []))
                self.report.added.append(item.ref)
            if updated:
                entity_ids = [row[1] for _, row in updated]
                previous_bodies = dict(Entity.objects.filter(pk__in=entity_ids).values_list("id", "body"))
                self.affected |= relation_targets(entity_ids)
                Relation.objects.filter(emitter_id__in=entity_ids).delete()
                changed_rows = []
                for item, row in updated:
                    values, history_row = self._update(item, row, previous_bodies[row[1]])
                    changed_rows.append(as_row(values, update_fields))
                    history.append(history_row)
                update_rows(Entity, update_fields, changed_rows, shared=shared)
            for entity_id, status_items in status_only:
                Entity.objects.filter(pk=entity_id).update(processing_errors=status_items)
            for digest, entity_ids in new_digests.items():
                Entity.objects.filter(pk__in=entity_ids).update(source_digest=digest)
            emitters = [*created, *((item, row[1]) for item, row in updated)]
            for item, _ in emitters:
                self.affected.add(item.ref)
                self.affected.update(target for _, _, target in item.relations)
            insert_rows(
                Relation,
                RELATION_FIELDS,
                [(*relation, emitter_id) for item, emitter_id in emitters for relation in item.relations],
            )
            insert_rows(EntityHistory, HISTORY_FIELDS, history, shared=shared)

    def _update(self, item: ProcessedEntity, row: tuple, previous: dict[str, Any]) -> tuple[dict[str, Any], tuple]:
        """The new column values of a stored entity, and its history row."""
        _, entity_id, _, stored_hash, generation, _, _, _ = row
        content_changed = stored_hash != item.content_hash
        generation = generation + 1 if content_changed else generation
        values = entity_values(item, entity_id, generation, self.location.pk, self.now)
        if content_changed:
            self.report.changed.append(item.ref)
            change = EntityHistory.Change.UPDATED
        else:
            change = EntityHistory.Change.RECLAIMED
        return values, self._history_row(item, entity_id, generation, change, changed_fields(previous, item.body))

    def _history_row(
        self, item: ProcessedEntity, uid: uuid.UUID, generation: int, change: str, changed: list[str]
    ) -> tuple:
        return (
            item.ref,
            uid,
            generation,
            change,
            item.body,
            changed,
            self.location.location_ref,
            item.location_key,
            self.outcome.commit or "",
            self.now,
        )

    def _conflict(self, item: ProcessedEntity, owner_id: uuid.UUID) -> None:
        owner = Location.objects.filter(pk=owner_id).first()
        owner_ref = owner.location_ref if owner else str(owner_id)
        message = f"{item.ref} is already provided by location {owner_ref}; this location's copy is ignored"
        self.report.conflicts.append(item.ref)
        self.report.refused.append(
            ProcessingError(item.location_key, message, entity_ref=item.ref, field="metadata.name")
        )

    # --- after the last batch -----------------------------------------------------------------

    def finish(self) -> RefreshReport:
        """Record errors, keep failed files' entities, orphan what is gone, and close the refresh."""
        outcome = self.outcome
        self.report.commit = outcome.commit
        self.report.unchanged += outcome.skipped
        self.report.refused = [*outcome.errors, *self.report.refused]
        if len(self.report.added) + len(self.report.changed) >= ANALYZE_AFTER_ROWS:
            # Before stitching: its per-entity lookups need the planner to know the new rows.
            analyze_catalog_tables()
        with transaction.atomic():
            stitch(self.affected)
            self._mark_blocked(outcome)
            self._mark_orphans(outcome)
            if self.report.added or self.report.changed or self.report.orphaned:
                transaction.on_commit(bump_catalog_version)
                announce_entities_changed(written=[*self.report.added, *self.report.changed, *self.report.orphaned])
            errors = [error.as_dict() for error in self.report.refused]
            Location.objects.filter(pk=self.location.pk).update(
                # Warnings (a provider's run note, a skipped entry) are kept but do not fail it.
                status=Location.Status.OK if self.report.ok else Location.Status.ERROR,
                errors=errors,
                last_commit=outcome.commit or "",
                last_refreshed_at=self.now,
                refresh_claimed_at=None,
                # An unreadable target counts as a failure for the scheduler's backoff.
                **outcome_fields(self.location, failed=outcome.read_failed, now=self.now),
            )
        return self.report

    def _mark_blocked(self, outcome: ProcessingOutcome) -> None:
        """Stored entities whose new version was refused keep it, with the errors on them."""
        failed_files: dict[str, list[ProcessingError]] = {}
        for error in outcome.errors:
            if error.location_key in outcome.failed_keys:
                failed_files.setdefault(error.location_key, []).append(error)
        for ref, errors in outcome.blocked.items():
            Entity.objects.filter(ref=ref, location=self.location).update(
                processing_errors=[error.as_status_item() for error in errors]
            )
        for location_key, errors in failed_files.items():
            Entity.objects.filter(location=self.location, location_key=location_key).update(
                processing_errors=[error.as_status_item() for error in errors]
            )

    def _mark_orphans(self, outcome: ProcessingOutcome) -> None:
        if outcome.read_failed:
            # A target that could not be read says nothing about what it holds: keep everything.
            return
        rows: Any = Entity.objects.filter(location=self.location, is_orphan=False).values_list(
            "id", "ref", "location_key", "parent_ref"
        )
        kept = set(outcome.emitted)
        if outcome.blocked:
            rows = list(rows)
            kept |= frozen_descendants(rows, set(outcome.blocked))
        gone = [
            entity_id
            for entity_id, ref, location_key, _ in rows
            if ref not in kept and location_key not in outcome.failed_keys
        ]
        for chunk in batched(gone, BATCH_SIZE):
            for entity in Entity.objects.filter(pk__in=chunk).select_related("location"):
                mark_orphaned(entity, self.now, commit=outcome.commit or "")
                self.report.orphaned.append(entity.ref)


# The columns stitching's statements look rows up by. ANALYZE of the whole entity table also
# evaluates every expression index over ``search`` for its sample: 20 s of a 100,000-entity first
# load, inside the refresh's transaction. The full statistics the lists need come from the
# ``catalog.analyze`` job the refresh queues (services/statistics.py).
_STITCH_COLUMNS = (
    "catalog_entity (id, ref)",
    "catalog_relation (source_ref, target_ref, emitter_id)",
    "catalog_entityrelations (entity_id)",
)


def analyze_catalog_tables() -> None:
    """Refresh PostgreSQL's planner statistics for what stitching reads (other databases: nothing)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(_STITCH_COLUMNS)}")

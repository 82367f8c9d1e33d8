"""Writes on single entities outside a refresh."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from ..audit import record_write
from ..cache import bump_catalog_version
from ..config import allowed_location_types, reader_policy
from ..formats.refs import entity_ref_of
from ..formats.validation import FieldError
from ..models import Entity, EntityHistory
from ..search_index import build_search_document
from ..signals import announce_entities_changed
from .annotations import MANAGED_BY_ORIGIN_LOCATION
from .processing import ProcessedEntity, ProcessingOutcome, content_hash
from .refresh import RefreshWriter
from .stitching import relation_targets, stitch
from .verdicts import Origin, judge_document, stored_source


class EntityBodyError(ValueError):
    """An edited body refused, with the field-named problems (nothing was written)."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(error) for error in errors))


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
        announce_entities_changed(deleted=[entity.ref])


def prepare_entity_body(entity: Entity, body: Any) -> ProcessedEntity:
    """Check an edited body as ingestion checks a file's document, for the entity it replaces.

    The verdict is ingestion's own (``judge_document``): placeholders resolve next to the entity's
    source file, and a Location's targets are checked against the location it was read from.
    Raises ``EntityBodyError`` naming each field at fault. The ref (kind, namespace, name) must
    stay the same: renaming is done in the source file.
    """
    if not isinstance(body, dict):
        raise EntityBodyError([FieldError("", "the body must be a mapping (apiVersion, kind, metadata, spec)")])
    body = {**body}
    if isinstance(body.get("metadata"), dict):
        # Server-assigned fields are the catalog's own; whatever the edit says is dropped.
        body["metadata"] = {key: value for key, value in body["metadata"].items() if key not in ("uid", "etag")}
    annotations = entity.body.get("metadata", {}).get("annotations") or {}
    origin = Origin(
        location_key=entity.location_key,
        origin_ref=annotations.get(MANAGED_BY_ORIGIN_LOCATION) or entity.location.location_ref,
        source=stored_source(entity.location_key),
        policy=reader_policy(),
        allowed_location_types=allowed_location_types(),
        # The Location entity generated for a registration was checked when it was registered.
        check_location_targets=entity.ref != entity.location.entity_ref,
    )
    verdict = judge_document(body, origin)
    if verdict.body is None:
        raise EntityBodyError([FieldError(error.field or "", error.message) for error in verdict.errors])
    if entity_ref_of(verdict.body) != entity.ref:
        raise EntityBodyError(
            [FieldError("metadata.name", f"the entity must stay {entity.ref}; rename it in its source file")]
        )
    return ProcessedEntity(
        ref=entity.ref,
        body=verdict.body,
        location_key=entity.location_key,
        relations=verdict.relations,
        search=build_search_document(verdict.body),
        content_hash=content_hash(verdict.body),
        warnings=verdict.warnings,
        # The file's digest is kept: the edit stands until the source file changes.
        source_digest=entity.source_digest,
        parent_ref=entity.parent_ref,
    )


def replace_entity_body(entity: Entity, body: Any) -> bool:
    """Replace an entity's body with a curator's edit, written as a refresh writes it.

    The ref and uid stay; generation, etag, search index, relations, stitching and history follow
    as for any change. Returns False when the edit changes nothing. The next change to the source
    file overwrites the edit.
    """
    item = prepare_entity_body(entity, body)
    if item.content_hash == entity.content_hash:
        return False
    with transaction.atomic():
        RefreshWriter(entity.location, ProcessingOutcome()).write_edits([item])
        record_write("entity.edit", entity.ref, location=entity.location.location_ref)
    return True


def delete_history(versions: list[EntityHistory]) -> int:
    """Delete recorded versions (a curator pruning history in the admin); one event for the lot."""
    if not versions:
        return 0
    with transaction.atomic():
        refs = sorted({version.entity_ref for version in versions})
        deleted = EntityHistory.objects.filter(pk__in=[version.pk for version in versions]).delete()[0]
        record_write("entity_history.delete", refs[0] if len(refs) == 1 else "entities", versions=deleted, refs=refs)
    return deleted

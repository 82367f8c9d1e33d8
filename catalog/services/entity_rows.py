"""The rows a refresh writes: column lists for bulk inserts, server fields, and body comparisons."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import islice
from typing import Any

from django.db import connection

from ..models import Entity
from ..search_index import filter_terms, text_terms
from .bulk import text_array_literal
from .processing import ProcessedEntity

# Every column of the entity table, from the model: a column added there is written by bulk inserts
# too, with the value ``entity_values`` gives it or else the field's default.
ENTITY_FIELDS = tuple(field.attname for field in Entity._meta.concrete_fields)
# What an update of a stored entity rewrites: all a refresh computes but the key and creation time.
ENTITY_UPDATE_FIELDS = ("id", *(name for name in ENTITY_FIELDS if name not in ("id", "created_at")))


def with_term_columns(fields: tuple[str, ...]) -> tuple[str, ...]:
    """``fields`` and, on PostgreSQL, the term columns the database would otherwise compute
    (``Entity.POSTGRES_ONLY_COLUMNS``, migration 0021): Python builds them for a fraction of the cost."""
    return (*fields, *Entity.POSTGRES_ONLY_COLUMNS) if connection.vendor == "postgresql" else fields


RELATION_FIELDS = ("source_ref", "type", "target_ref", "emitter_id")
HISTORY_FIELDS = (
    "entity_ref",
    "entity_uid",
    "generation",
    "change",
    "body",
    "changed_fields",
    "location_ref",
    "location_key",
    "commit",
    "recorded_at",
)


def etag_for(uid: uuid.UUID, generation: int, content_hash: str) -> str:
    """The etag Backstage serves: it changes with the entity's generation and content."""
    return hashlib.sha1(f"{uid}:{generation}:{content_hash}".encode()).hexdigest()


def batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """``items`` in lists of at most ``size``."""
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def changed_fields(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Dotted paths, two levels deep, whose values differ between two bodies (server fields aside)."""
    server_fields = {"metadata.uid", "metadata.etag"}
    changed = []
    for key in sorted(set(old) | set(new)):
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        if isinstance(before, dict) and isinstance(after, dict):
            changed += [
                f"{key}.{sub}"
                for sub in sorted(set(before) | set(after))
                if before.get(sub) != after.get(sub) and f"{key}.{sub}" not in server_fields
            ]
        else:
            changed.append(key)
    return changed


def title_of(metadata: dict[str, Any]) -> str:
    """The title column: ``metadata.title`` cut to the column's length, or empty."""
    title = metadata.get("title")
    return title[:400] if isinstance(title, str) else ""


def type_and_lifecycle(body: dict[str, Any]) -> tuple[str, str]:
    """The ``spec.type`` and ``spec.lifecycle`` columns."""
    spec = body.get("spec") if isinstance(body.get("spec"), dict) else {}
    values = (spec.get("type"), spec.get("lifecycle"))
    # Lowercase: these columns exist for filtering, which ignores case (display reads the body).
    return tuple(value[:200].lower() if isinstance(value, str) else "" for value in values)  # type: ignore[return-value]


def stamp(item: ProcessedEntity, uid: uuid.UUID, generation: int) -> str:
    """Put the server fields into the body and search index; returns the new etag."""
    etag = etag_for(uid, generation, item.content_hash)
    item.body["metadata"]["uid"], item.body["metadata"]["etag"] = str(uid), etag
    item.search = item.search | {"metadata.uid": [str(uid)], "metadata.etag": [etag]}
    return etag


def entity_values(
    item: ProcessedEntity, uid: uuid.UUID, generation: int, location_id: Any, now: datetime
) -> dict[str, Any]:
    """The columns a refresh stores for ``item``, the one place they are computed (the body and
    search index are stamped with the uid and new etag)."""
    etag = stamp(item, uid, generation)
    metadata = item.body["metadata"]
    spec_type, lifecycle = type_and_lifecycle(item.body)
    return {
        "id": uid,
        "ref": item.ref,
        "kind": item.body["kind"],
        "namespace": metadata["namespace"],
        "name": metadata["name"],
        "title": title_of(metadata),
        "spec_type": spec_type,
        "lifecycle": lifecycle,
        "body": item.body,
        "search": item.search,
        "terms": text_array_literal(filter_terms(item.search)),
        "text_terms": text_terms(item.search),
        "location_id": location_id,
        "location_key": item.location_key,
        "parent_ref": item.parent_ref,
        "content_hash": item.content_hash,
        "source_digest": item.source_digest,
        "etag": etag,
        "generation": generation,
        "processing_errors": [warning.as_status_item() for warning in item.warnings],
        "is_orphan": False,
        "created_at": now,
        "updated_at": now,
    }


_FIELDS_BY_NAME = {field.attname: field for field in Entity._meta.concrete_fields}


def as_row(values: dict[str, Any], fields: tuple[str, ...]) -> tuple[Any, ...]:
    """``values`` in the order of ``fields``; a column ``entity_values`` does not know gets its
    model default."""
    return tuple(values[name] if name in values else _FIELDS_BY_NAME[name].get_default() for name in fields)

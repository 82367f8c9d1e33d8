"""Validate one entity, in the order Backstage's catalog checks it."""

from __future__ import annotations

from typing import Any

from . import envelope, kinds
from .errors import FieldError
from .types import json_type


def validate_entity(entity: object) -> list[FieldError]:
    """Return every problem found with an input entity, or [] when it is valid.

    The checks run in Backstage's order: envelope, root fields, metadata types,
    field formats, then the spec rules of the entity's kind. Backstage stops at
    the first failure; this reports all of them, so the verdict (valid or not)
    is the same and the list is longer. An entity whose kind and apiVersion no
    validator claims is refused with an error on `kind`, as Backstage refuses a
    foreign kind.

    The entity is expected as it is after placeholders (`$text` and friends)
    have been replaced.
    """
    if not isinstance(entity, dict):
        return [FieldError("", f"an entity must be an object, got {json_type(entity)}")]
    errors = envelope.check_envelope(entity)
    errors += envelope.check_root_fields(entity)
    metadata = entity.get("metadata")
    if isinstance(metadata, dict):
        errors += envelope.check_metadata_types(metadata)
    errors += envelope.check_field_formats(entity)
    errors += _check_kind(entity)
    return errors


def _check_kind(entity: dict[Any, Any]) -> list[FieldError]:
    kind = entity.get("kind")
    api_version = entity.get("apiVersion")
    if not (isinstance(kind, str) and kind and isinstance(api_version, str) and api_version):
        return []
    if not kinds.is_known(kind, api_version):
        return [
            FieldError(
                "kind",
                f"no validator recognises kind {kind!r} with apiVersion {api_version!r} (a foreign kind or apiVersion)",
            )
        ]
    if "spec" not in entity:
        return [FieldError("spec", "spec is required")]
    spec = entity["spec"]
    if not isinstance(spec, dict):
        return []  # Already reported with the root fields.
    return kinds.check_spec(kind, spec)

"""Whether one document may enter the catalog: the one verdict every entry point gives.

Ingestion, ``manage.py catalog_validate``, ``POST /validate-entity`` and the admin's YAML editor
all call ``judge_document``. In Backstage's order it resolves ``$text``/``$json``/``$yaml``
placeholders, validates the entity, checks a Location's targets against the location it was read
from, stamps the location annotations and emits the relations. What differs between the entry
points is only the ``Origin`` they describe; catalog rules (which kinds a registered location may
emit) and duplicate refs are the processor's, since they depend on the rest of the location.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from ..formats.readers import ReaderPolicy, SourceFile, parse_git_target
from ..formats.relations import SORTED_SPEC_FIELDS, RelationFieldError, emitted_relations
from ..formats.validation import FieldError, validate_entity
from .annotations import stamp_annotations
from .errors import ProcessingError
from .placeholders import PLACEHOLDER_KEYS, resolve_placeholders

# Backstage's default for location types an entity may name besides its own location's.
DEFAULT_ALLOWED_LOCATION_TYPES = ("url",)
_PLACEHOLDER_MARKERS = tuple(key.encode() for key in PLACEHOLDER_KEYS)
# YAML's .nan and .inf (any casing) are floats JSON cannot carry; Backstage ends up storing null.
_NON_FINITE = re.compile(rb"\.(nan|inf)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Origin:
    """Where a document comes from, as far as its verdict depends on it.

    ``location_key`` is the location ref of the file (``file:/abs/x.yaml``, ``url:https://...``) or
    the one given with a submitted entity; ``origin_ref`` the registered location it belongs to.
    ``source`` is the file itself, read next to for relative placeholders; without it every
    placeholder gets a stand-in. ``may_have_placeholders`` and ``may_have_non_finite`` let a
    caller that has scanned the file's bytes skip work the document cannot need.
    """

    location_key: str
    origin_ref: str
    source: SourceFile | None = None
    policy: ReaderPolicy | None = None
    allowed_location_types: tuple[str, ...] = DEFAULT_ALLOWED_LOCATION_TYPES
    check_location_targets: bool = True
    may_have_placeholders: bool = True
    may_have_non_finite: bool = True

    @property
    def location_type(self) -> str:
        return self.location_key.partition(":")[0]


@dataclass
class Verdict:
    """The outcome for one document: the body to store and its relations, or the errors."""

    entity: Any
    body: dict[str, Any] | None = None
    relations: list[tuple[str, str, str]] = field(default_factory=list)
    errors: list[ProcessingError] = field(default_factory=list)
    warnings: list[ProcessingError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def file_origin(
    source: SourceFile,
    origin_ref: str,
    policy: ReaderPolicy,
    allowed_location_types: tuple[str, ...] = DEFAULT_ALLOWED_LOCATION_TYPES,
) -> Origin:
    """The origin of every document of a file that was read, with its bytes scanned once."""
    return Origin(
        location_key=source.location_key,
        origin_ref=origin_ref,
        source=source,
        policy=policy,
        allowed_location_types=tuple(allowed_location_types),
        may_have_placeholders=any(marker in source.data for marker in _PLACEHOLDER_MARKERS),
        may_have_non_finite=_NON_FINITE.search(source.data) is not None,
    )


def stored_source(location_key: str) -> SourceFile | None:
    """The file a stored entity was read from, as a base for reading next to it again.

    Its content is not needed; None when the key names no file this catalog can read from.
    """
    location_type, _, target = location_key.partition(":")
    if location_type == "file" and target.startswith("/"):
        return SourceFile(location_key, target, b"")
    if location_type == "url":
        try:
            return SourceFile(location_key, parse_git_target(target).path, b"")
        except ValueError:
            return None
    return None


def judge_document(data: Any, origin: Origin) -> Verdict:
    """Everything that decides whether ``data`` is stored, as ingestion decides it."""
    key = origin.location_key
    if origin.may_have_non_finite:
        data = _finite(data)
    if origin.may_have_placeholders and isinstance(data, dict):
        entity, problems = resolve_placeholders(data, origin.source, origin.policy, key)
    else:
        entity, problems = (dict(data) if isinstance(data, dict) else data), []
    verdict = Verdict(entity)
    verdict.warnings = [problem for problem in problems if problem.level != "error"]
    verdict.errors = [problem for problem in problems if problem.level == "error"]
    if verdict.errors:
        return verdict
    field_errors = validate_entity(entity)
    if not field_errors and origin.check_location_targets:
        field_errors = location_target_errors(entity, origin.location_type, origin.allowed_location_types)
    if field_errors:
        verdict.errors = [ProcessingError(key, error.message, field=error.field) for error in field_errors]
        return verdict
    body, annotation_warnings = normalised_body(entity, key, origin.origin_ref)
    verdict.warnings += [
        ProcessingError(key, warning.message, field=warning.field, level="warning") for warning in annotation_warnings
    ]
    try:
        verdict.relations = emitted_relations(body)
    except RelationFieldError as problem:
        verdict.errors = [ProcessingError(key, problem.message, field=problem.field)]
        return verdict
    verdict.body = body
    return verdict


def location_target_errors(entity: dict[str, Any], location_type: str, allowed: tuple[str, ...]) -> list[FieldError]:
    """Backstage's Location rules, for a valid entity read from a location of ``location_type``.

    The effective type of the targets is ``spec.type``, or the type of the location the entity was
    read from. A type other than that one must be allowed (``API_LOCATION_TYPES``), and a ``file``
    target may not end with a path separator.
    """
    if entity.get("kind") != "Location":
        return []
    spec = entity["spec"]
    target_type = spec.get("type") or location_type
    if target_type != location_type and target_type not in allowed:
        return [
            FieldError(
                "spec.type",
                f"spec.type {target_type!r} differs from the type of the location it was read from "
                f"({location_type}): Registered locations must be of an allowed type {json.dumps(list(allowed))}",
            )
        ]
    if target_type != "file":
        return []
    targets = [("spec.target", spec["target"])] if "target" in spec else []
    targets += [(f"spec.targets[{index}]", target) for index, target in enumerate(spec.get("targets") or [])]
    return [
        FieldError(name, f"{name} {target!r} ends with a path separator; name a file or a glob")
        for name, target in targets
        if target.endswith("/")
    ]


def normalised_body(
    entity: dict[str, Any], location_key: str, origin_ref: str
) -> tuple[dict[str, Any], list[FieldError]]:
    """The stored body (default namespace, location annotations, sorted relation lists) and the
    warnings for descriptor links that were refused."""
    metadata = dict(entity["metadata"])
    metadata.setdefault("namespace", "default")
    metadata.pop("uid", None)
    metadata["annotations"], warnings = stamp_annotations(
        dict(metadata.get("annotations") or {}), location_key, origin_ref
    )
    body = {"apiVersion": entity["apiVersion"], "kind": entity["kind"], "metadata": metadata}
    if "spec" in entity:
        spec = dict(entity["spec"])
        for name in SORTED_SPEC_FIELDS:
            if isinstance(spec.get(name), list) and all(isinstance(item, str) for item in spec[name]):
                spec[name] = sorted(spec[name])
        body["spec"] = spec
    return body, warnings


def _finite(value: Any) -> Any:
    """A copy of ``value`` with NaN and infinities replaced by None."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite(item) for item in value]
    return value

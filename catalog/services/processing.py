"""Turn a registered location into processed entities, without touching the database.

Reading follows Backstage's pipeline: read the target, parse every YAML document, resolve
placeholders, validate, apply catalog rules, stamp the location annotations, emit relations, and
follow ``Location`` entities to their targets. Entities are yielded one file at a time so a
location of 100,000 entities never sits in memory as a whole; what went wrong is collected in
``ProcessingOutcome`` with the file, document, line and field it concerns.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..formats.readers import ReaderPolicy, ReadResult, SourceFile, read_location, read_relative
from ..formats.refs import entity_ref_of
from ..formats.rules import is_allowed
from ..formats.yaml_lines import field_line
from ..formats.yaml_reader import YamlFileError, iter_documents
from ..search_index import build_search_document
from .errors import ProcessingError
from .placeholders import is_absolute_target
from .verdicts import DEFAULT_ALLOWED_LOCATION_TYPES, Origin, file_origin, judge_document

# Location entities may nest; a deeper chain is almost certainly a loop through differing paths.
MAX_LOCATION_DEPTH = 32
# Bump when processing changes what is stored, so unchanged files are read again once.
PROCESSING_VERSION = 3


@dataclass
class ProcessedEntity:
    """An entity ready to store: its body, index rows and where it came from."""

    ref: str
    body: dict[str, Any]
    location_key: str
    relations: list[tuple[str, str, str]]
    search: dict[str, list[str]]
    content_hash: str
    warnings: list[ProcessingError] = field(default_factory=list)
    source_digest: str = ""
    parent_ref: str = ""


@dataclass
class KnownFile:
    """What the last refresh stored from one file: its digest (None: read it again) and its refs."""

    digest: str | None
    refs: list[str] = field(default_factory=list)


@dataclass
class ProcessingOutcome:
    """What a run of the processor found besides the entities it yielded."""

    errors: list[ProcessingError] = field(default_factory=list)
    # Files that could not be read or parsed: their entities keep their last good version.
    failed_keys: set[str] = field(default_factory=set)
    # Refs whose document was refused: the stored entity keeps its last good version.
    blocked: dict[str, list[ProcessingError]] = field(default_factory=dict)
    # Every ref yielded, with the file it came from (duplicates are refused against this).
    emitted: dict[str, str] = field(default_factory=dict)
    commit: str | None = None
    files_read: int = 0
    # A target (file, glob or repository) could not be read, so absence proves nothing: no orphans.
    read_failed: bool = False
    # Entities of files skipped because their digest had not changed.
    skipped: int = 0


def content_hash(body: dict[str, Any]) -> str:
    """SHA-1 of the body without server-assigned fields; equal hashes mean nothing changed."""
    metadata = {k: v for k, v in body["metadata"].items() if k not in ("uid", "etag")}
    canonical = json.dumps({**body, "metadata": metadata}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha1(canonical.encode()).hexdigest()


class LocationProcessor:
    """Processes one registered location; iterate ``entities()``, then read ``outcome``."""

    def __init__(
        self,
        *,
        location_type: str,
        location_target: str,
        presence: str,
        origin_ref: str,
        generated_entity: dict[str, Any] | None,
        policy: ReaderPolicy,
        global_rules: list[dict[str, Any]],
        location_rules: list[dict[str, Any]] | None,
        known_files: dict[str, KnownFile] | None = None,
        allowed_location_types: tuple[str, ...] = DEFAULT_ALLOWED_LOCATION_TYPES,
        parent_ref: str = "",
    ) -> None:
        self.parent_ref = parent_ref
        self.location_type = location_type
        self.location_target = location_target
        self.presence = presence
        self.origin_ref = origin_ref
        self.generated_entity = generated_entity
        self.policy = policy
        self.global_rules = global_rules
        self.location_rules = location_rules
        self.allowed_location_types = tuple(allowed_location_types)
        self.outcome = ProcessingOutcome()
        self.known_files = known_files or {}
        # Anything that changes how a file is processed must change its digest.
        self._fingerprint = json.dumps(
            [PROCESSING_VERSION, origin_ref, global_rules, location_rules, self.allowed_location_types],
            sort_keys=True,
            default=str,
        ).encode()
        # Files to read, with their depth and the ref of the Location entity that named them.
        self._queue: deque[tuple[SourceFile, int, str]] = deque()
        self._seen_keys: set[str] = set()

    def entities(self) -> Iterator[ProcessedEntity]:
        """Yield every entity the location emits, the generated Location entity first."""
        # The generated entity stands for the registration itself, checked when it was registered.
        # A discovered location has none: the provider's Location entity stands for it (same ref).
        origin = Origin(self.origin_ref, self.origin_ref, check_location_targets=False)
        root = None
        if self.generated_entity is not None:
            root = self._finish(self.generated_entity, origin, document=None, line=None, check_rules=False)
        if root is not None:
            yield root
        root_ref = root.ref if root is not None else self.parent_ref
        self._enqueue(read_location(self.location_type, self.location_target, self.policy), 0, self.presence, root_ref)
        while self._queue:
            source, depth, parent_ref = self._queue.popleft()
            for processed in self._process_file(source, depth):
                processed.parent_ref = parent_ref
                yield processed

    # --- reading ----------------------------------------------------------------------------

    def _enqueue(self, result: ReadResult, depth: int, presence: str, parent_ref: str) -> None:
        if result.commit and not self.outcome.commit:
            self.outcome.commit = result.commit
        for error in result.errors:
            if presence == "optional" and "not found" in error.message.lower():
                continue
            self.outcome.errors.append(ProcessingError(error.location_key, error.message))
            self.outcome.failed_keys.add(error.location_key)
            self.outcome.read_failed = True
        for source in result.files:
            if source.location_key not in self._seen_keys:
                self._seen_keys.add(source.location_key)
                self._queue.append((source, depth, parent_ref))

    def _process_file(self, source: SourceFile, depth: int) -> Iterator[ProcessedEntity]:
        self.outcome.files_read += 1
        digest = hashlib.sha1(self._fingerprint + source.data).hexdigest()
        known = self.known_files.get(source.location_key)
        if known is not None and known.digest == digest:
            for ref in known.refs:
                self.outcome.emitted.setdefault(ref, source.location_key)
            self.outcome.skipped += len(known.refs)
            return
        origin = file_origin(source, self.origin_ref, self.policy, self.allowed_location_types)
        try:
            for document in iter_documents(
                source.data, source=source.location_key, max_bytes=self.policy.max_file_bytes
            ):
                if document.error is not None:
                    self._fail_file(source, document.error, document.line, document.index)
                    continue
                locate = functools.partial(field_line, source.data, document.index)
                processed = self._finish(
                    document.data, origin, document=document.index, line=document.line, locate=locate
                )
                if processed is None:
                    continue
                is_location = processed.body["kind"] == "Location"
                # Placeholders depend on other files and Location targets must be followed: files
                # holding either are always read.
                always_read = origin.may_have_placeholders or is_location
                processed.source_digest = "" if always_read else digest
                yield processed
                if is_location:
                    self._follow(processed, source, depth, document.index, document.line)
        except YamlFileError as error:
            # Documents before a syntax error were processed; the file's other entities keep their
            # last good version.
            self._fail_file(source, str(error.message), error.line)

    def _fail_file(self, source: SourceFile, message: str, line: int | None, document: int | None = None) -> None:
        self.outcome.errors.append(ProcessingError(source.location_key, message, document=document, line=line))
        self.outcome.failed_keys.add(source.location_key)

    # --- one document -------------------------------------------------------------------------

    def _finish(
        self,
        data: Any,
        origin: Origin,
        *,
        document: int | None,
        line: int | None,
        check_rules: bool = True,
        locate: Callable[[str], int | None] | None = None,
    ) -> ProcessedEntity | None:
        """The verdict on one document, then the location's rules and duplicates; None if refused.

        ``locate`` gives the line a field is written on, so an error names that line rather than
        the document's first.
        """
        location_key = origin.location_key
        verdict = judge_document(data, origin)
        for problem in [*verdict.errors, *verdict.warnings]:
            found = locate(problem.field) if locate is not None and problem.field else None
            problem.document, problem.line = document, found or line
        if verdict.body is None:
            self._refuse(verdict.entity, verdict.errors, location_key)
            return None

        def error(message: str, field: str | None = None) -> ProcessingError:
            found = locate(field) if locate is not None and field else None
            return ProcessingError(location_key, message, document=document, line=found or line, field=field)

        entity = verdict.entity
        ref = entity_ref_of(entity)
        if check_rules and not is_allowed(
            entity,
            global_rules=self.global_rules,
            location_rules=self.location_rules,
            location_type=self.location_type,
            location_target=self.location_target,
        ):
            message = f"{ref} is of kind {entity['kind']}, which is not an allowed kind for this location"
            self._refuse(entity, [error(message, "kind")], location_key)
            return None
        first_key = self.outcome.emitted.get(ref)
        if first_key is not None:
            self.outcome.errors.append(
                error(
                    f"duplicate entity {ref}: already read from {first_key}; this copy is ignored",
                    "metadata.name",
                )
            )
            return None
        self.outcome.emitted[ref] = location_key
        body = verdict.body
        return ProcessedEntity(
            ref=ref,
            body=body,
            location_key=location_key,
            relations=verdict.relations,
            search=build_search_document(body),
            content_hash=content_hash(body),
            warnings=verdict.warnings,
        )

    def _refuse(self, entity: Any, errors: list[ProcessingError], location_key: str) -> None:
        self.outcome.errors.extend(errors)
        ref = _ref_or_none(entity)
        if ref is None:
            # Without a readable ref the refusal cannot be pinned to one entity: keep the whole
            # file's entities as they were.
            self.outcome.failed_keys.add(location_key)
            return
        for item in errors:
            item.entity_ref = ref
        self.outcome.blocked.setdefault(ref, []).extend(errors)

    # --- locations and placeholders ---------------------------------------------------------

    def _follow(self, processed: ProcessedEntity, source: SourceFile, depth: int, index: int, line: int) -> None:
        """Queue the targets of an accepted Location entity, read as its location allows."""
        spec = processed.body["spec"]
        targets = [spec["target"]] if isinstance(spec.get("target"), str) else []
        if isinstance(spec.get("targets"), list):
            targets += [target for target in spec["targets"] if isinstance(target, str)]
        presence = spec.get("presence", "required")
        if depth + 1 > MAX_LOCATION_DEPTH:
            self._fail_file(source, f"Location entities nest deeper than {MAX_LOCATION_DEPTH} levels", line, index)
            return
        source_type = source.location_key.partition(":")[0]
        target_type = spec.get("type") or source_type
        for target in targets:
            if target_type == source_type and not is_absolute_target(target):
                result = read_relative(source, target, self.policy)
            elif target_type == "url" and is_absolute_target(target):
                result = read_location("url", target, self.policy.for_content())
            elif target_type == "file" and source_type == "file":
                result = read_relative(source, target, self.policy)
            else:
                self.outcome.errors.append(
                    ProcessingError(
                        source.location_key,
                        f"a {source_type} location may not point at a {target_type} target ({target})",
                        document=index,
                        line=line,
                        field="spec.targets",
                    )
                )
                continue
            self._enqueue(result, depth + 1, presence, processed.ref)


def _ref_or_none(entity: Any) -> str | None:
    try:
        return entity_ref_of(entity)
    except (KeyError, TypeError, AttributeError):
        return None

"""Judge what an entity provider read, entity by entity, the way a location's documents are judged.

Each body gets the verdict every entry point gives (``judge_document``): validation, the managed-by
annotations (the provider's location), relations. A refused entity is reported with its index and
field, and, when its ref can be read, keeps its last stored version, as a refused document of a
location does; the valid ones go on. Catalog rules are not applied: they govern what a registered
location may emit, and a provider is configured by the operator.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

import orjson

from ..formats.refs import entity_ref_of
from ..providers.base import ProviderOutput
from ..search_index import build_search_document
from .errors import ProcessingError
from .processing import PROCESSING_VERSION, ProcessedEntity, ProcessingOutcome, _ref_or_none, content_hash
from .verdicts import Origin, judge_document


def raw_digest(data: Any, location_ref: str) -> str:
    """SHA-1 of a provider's body as it came, with what else decides its verdict."""
    prefix = f"{PROCESSING_VERSION}\0{location_ref}\0".encode()
    try:
        text = orjson.dumps(data, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        text = json.dumps(data, sort_keys=True, default=str).encode()
    return hashlib.sha1(prefix + text).hexdigest()


def judge_provider_output(
    output: ProviderOutput, location_ref: str, known: dict[str, str] | None = None
) -> tuple[Iterator[ProcessedEntity], ProcessingOutcome]:
    """The entities to store, judged as they are taken, and the outcome (errors, refused refs) of
    one provider run, complete once the entities have all been taken.

    The provider's notes (entries it skipped, say) are kept as warnings beside the errors. Judging
    as the writer takes them keeps one batch of processed entities in memory at a time, as a
    location's refresh does. ``known`` maps the refs stored (not orphaned) to the digest of the
    body they were judged from: a body equal to it is not judged again, as a location's unchanged
    file is not read again.
    """
    outcome = ProcessingOutcome()
    outcome.errors.extend(ProcessingError(location_ref, note, level="warning") for note in output.notes)
    return _judged(output.entities, location_ref, outcome, known or {}), outcome


def _judged(
    entities: list[dict[str, Any] | None], location_ref: str, outcome: ProcessingOutcome, known: dict[str, str]
) -> Iterator[ProcessedEntity]:
    origin = Origin(location_ref, location_ref, check_location_targets=False, may_have_placeholders=False)
    for index in range(len(entities)):
        # Each body is let go once judged: a 100,000-user directory is not held twice.
        data, entities[index] = entities[index], None
        digest = raw_digest(data, location_ref)
        raw_ref = _ref_or_none(data)
        if raw_ref is not None and raw_ref not in outcome.emitted and known.get(raw_ref) == digest:
            outcome.emitted[raw_ref] = location_ref
            outcome.skipped += 1
            continue
        verdict = judge_document(data, origin)
        for problem in [*verdict.errors, *verdict.warnings]:
            problem.document = index
        ref = _ref_or_none(verdict.entity)
        if verdict.body is None:
            outcome.errors.extend(verdict.errors)
            if ref is not None:
                for problem in verdict.errors:
                    problem.entity_ref = ref
                outcome.blocked.setdefault(ref, []).extend(verdict.errors)
            continue
        ref = entity_ref_of(verdict.body)
        if ref in outcome.emitted:
            outcome.errors.append(
                ProcessingError(
                    location_ref,
                    f"duplicate entity {ref}: the provider emitted it more than once; the later copy is ignored",
                    document=index,
                    field="metadata.name",
                    entity_ref=ref,
                )
            )
            continue
        outcome.emitted[ref] = location_ref
        yield ProcessedEntity(
            ref=ref,
            body=verdict.body,
            location_key=location_ref,
            relations=verdict.relations,
            search=build_search_document(verdict.body),
            content_hash=content_hash(verdict.body),
            warnings=verdict.warnings,
            # Only a body whose ref is its own may be skipped next time.
            source_digest=digest if raw_ref == ref else "",
        )

"""Judge what an entity provider read, entity by entity, the way a location's documents are judged.

Each body gets the verdict every entry point gives (``judge_document``): validation, the managed-by
annotations (the provider's location), relations. A refused entity is reported with its index and
field, and, when its ref can be read, keeps its last stored version, as a refused document of a
location does; the valid ones go on. Catalog rules are not applied: they govern what a registered
location may emit, and a provider is configured by the operator.
"""

from __future__ import annotations

from ..formats.refs import entity_ref_of
from ..providers.base import ProviderOutput
from ..search_index import build_search_document
from .errors import ProcessingError
from .processing import ProcessedEntity, ProcessingOutcome, _ref_or_none, content_hash
from .verdicts import Origin, judge_document


def judge_provider_output(output: ProviderOutput, location_ref: str) -> tuple[list[ProcessedEntity], ProcessingOutcome]:
    """The entities to store and the outcome (errors, refused refs) of one provider run.

    The provider's notes (entries it skipped, say) are kept as warnings beside the errors.
    """
    origin = Origin(location_ref, location_ref, check_location_targets=False, may_have_placeholders=False)
    outcome = ProcessingOutcome()
    outcome.errors.extend(ProcessingError(location_ref, note, level="warning") for note in output.notes)
    accepted: list[ProcessedEntity] = []
    for index, data in enumerate(output.entities):
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
        accepted.append(
            ProcessedEntity(
                ref=ref,
                body=verdict.body,
                location_key=location_ref,
                relations=verdict.relations,
                search=build_search_document(verdict.body),
                content_hash=content_hash(verdict.body),
                warnings=verdict.warnings,
            )
        )
    return accepted, outcome

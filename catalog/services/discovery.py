"""Reading what discovery providers found: one location per ``Location`` entity a provider owns.

A discovery provider (``catalog.providers.github``) emits ``Location`` entities, as Backstage's do;
the catalog then reads each target. Here each such target becomes a ``url`` location of origin
``provider`` (a *discovered* location), refreshed like any other: by the scheduler, by a git push
webhook, by "refresh now". Its own generated Location entity would be the provider's one over again
(same ``generated-<sha1>`` name), so a discovered location emits none; the provider's entity is the
parent of what it reads.

A discovered location whose ``Location`` entity is orphaned or deleted (the repository left the
listing) reads nothing at its next refresh, so its entities are orphaned too; under
``catalog.orphanStrategy: delete`` they and the location are deleted.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from ..config import orphan_strategy
from ..models import Entity, Location
from .errors import ProcessingError
from .locations import (
    LocationError,
    delete_location,
    register_location,
    validate_location_spec,
)
from .processing import LocationProcessor, ProcessedEntity
from .refresh import RefreshReport
from .refresh_requests import enqueue_refresh

logger = logging.getLogger(__name__)

DISCOVERED_TYPE = "url"


def is_discovered(location: Location) -> bool:
    """Whether ``location`` was made for a provider's ``Location`` entity."""
    return location.origin == Location.Origin.PROVIDER and location.type != Location.PROVIDER_TYPE


def live_location_targets(provider_location: Location) -> dict[str, tuple[str, str]]:
    """``ref → (target, presence)`` of the provider's ``url`` Location entities that are not orphaned."""
    rows = Entity.objects.filter(
        location=provider_location, kind__in=("Location", "location"), is_orphan=False
    ).values_list("ref", "body")
    targets = {}
    for ref, body in rows.iterator(chunk_size=2000):
        spec = body.get("spec") or {}
        if spec.get("type") == DISCOVERED_TYPE and isinstance(spec.get("target"), str):
            targets[ref] = (spec["target"], spec.get("presence") or "required")
    return targets


def is_still_provided(location: Location) -> bool:
    """Whether a provider still owns a live ``Location`` entity for this discovered location."""
    return Entity.objects.filter(
        ref=location.entity_ref, is_orphan=False, location__type=Location.PROVIDER_TYPE
    ).exists()


def sync_discovered_locations(provider_location: Location, before: dict[str, tuple[str, str]]) -> list[ProcessingError]:
    """After a provider run: a location (refresh queued) for each new target, a refresh for each gone one.

    ``before`` is ``live_location_targets`` as it was before the run. Runs inside the run's
    transaction, so the locations appear with the entities. Returns a warning per target left out
    (refused by the target checks, or registered by someone else).
    """
    after = live_location_targets(provider_location)
    stored = {
        location.target: location
        for location in Location.objects.filter(
            type=DISCOVERED_TYPE, target__in=[target for target, _ in (after | before).values()]
        )
    }
    problems: list[ProcessingError] = []
    for ref, (target, presence) in after.items():
        location = stored.get(target)
        if location is None:
            problem = _register(provider_location, target, presence)
            if problem is not None:
                problems.append(problem)
        elif not is_discovered(location):
            message = f"{target} is already a registered location ({location.origin}); it is read as that one"
            problems.append(ProcessingError(provider_location.location_ref, message, level="warning", entity_ref=ref))
        elif ref not in before:
            enqueue_refresh(location)  # back in the listing: its entities come back
    for ref, (target, _) in before.items():
        location = stored.get(target)
        if ref not in after and location is not None and is_discovered(location):
            enqueue_refresh(location)  # gone from the listing: its refresh orphans its entities
    return problems


def _register(provider_location: Location, target: str, presence: str) -> ProcessingError | None:
    try:
        spec = validate_location_spec(DISCOVERED_TYPE, target, presence)
        register_location(spec, origin=Location.Origin.PROVIDER, exists_ok=True, queue_refresh=True)
    except LocationError as error:
        logger.warning("%s: discovered target left out: %s", provider_location.location_ref, error)
        return ProcessingError(provider_location.location_ref, str(error), level="warning")
    return None


def entities_to_read(location: Location, processor: LocationProcessor) -> Iterator[ProcessedEntity]:
    """What a refresh of ``location`` writes: nothing for a discovered location no provider lists."""
    if is_discovered(location) and not is_still_provided(location):
        message = "no entity provider lists this location any more; its entities are orphaned"
        processor.outcome.errors.append(ProcessingError(location.location_ref, message, level="warning"))
        return iter(())
    return processor.entities()


def finish_discovered(location: Location, report: RefreshReport) -> None:
    """Under ``orphanStrategy: delete``, a discovered location no provider lists goes with its entities."""
    if not is_discovered(location) or orphan_strategy() != "delete" or is_still_provided(location):
        return
    delete_location(location)  # its entities too, each with a history row
    logger.info("discovered location %s is no longer listed; deleted", location.location_ref)


def note_problems(location: Location, problems: list[ProcessingError]) -> None:
    """Add ``problems`` to the errors ``location``'s last run recorded."""
    if problems:
        location.refresh_from_db(fields=["errors"])
        errors = [*location.errors, *(problem.as_dict() for problem in problems)]
        Location.objects.filter(pk=location.pk).update(errors=errors, status=Location.Status.ERROR)

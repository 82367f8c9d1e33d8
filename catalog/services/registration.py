"""Registering a location from what a person pastes: which types are allowed, and a dry run.

``POST /api/catalog/locations?dryRun=true`` and the register page both preview a location with
``preview_location``: the same reading, validation and rules as a refresh, nothing stored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.conf import settings

from ..formats.readers import parse_git_target
from ..models import Location
from .errors import ProcessingError
from .location_targets import check_location_target
from .locations import LocationError, LocationSpec, parse_location_target, processor_for
from .processing import ProcessedEntity

# What a pasted target must look like to be read as a remote rather than a path on this machine.
_URL_MARKERS = ("://", "git@")


@dataclass
class LocationPreview:
    """What registering ``location`` would give: its entities (the generated Location entity first)
    and the problems met, without storing anything."""

    location: Location
    entities: list[ProcessedEntity]
    errors: list[ProcessingError] = field(default_factory=list)
    warnings: list[ProcessingError] = field(default_factory=list)
    exists: bool = False
    read_failed: bool = False

    @property
    def found(self) -> list[ProcessedEntity]:
        """The entities read from the target (without the Location entity generated for it)."""
        return [entity for entity in self.entities if entity.ref != self.location.entity_ref]


def check_registrable_type(location_type: str) -> None:
    """Refuse location types the settings do not let people register (``API_LOCATION_TYPES``)."""
    if location_type not in settings.API_LOCATION_TYPES:
        raise LocationError(
            f"Registered locations must be of an allowed type {json.dumps(settings.API_LOCATION_TYPES)}"
        )


def spec_from_input(text: str) -> LocationSpec:
    """The location a pasted repository, file or git URL stands for; ``LocationError`` says what is wrong."""
    text = text.strip()
    if not text:
        raise LocationError("Paste the URL of a repository or of a catalog-info.yaml file.")
    if not any(marker in text for marker in _URL_MARKERS) and "file" not in settings.API_LOCATION_TYPES:
        raise LocationError(
            f"{text!r} is not a URL. Paste a repository or file URL (https://…, ssh://… or git@host:path)."
        )
    spec = parse_location_target(text)
    check_registrable_type(spec.type)
    if spec.type == "url":
        try:
            parse_git_target(spec.target)
        except ValueError as error:
            raise LocationError(f"{spec.target} cannot be read: {error}") from None
    return spec


def preview_location(spec: LocationSpec, *, trusted: bool = False) -> LocationPreview:
    """Read and process ``spec`` as a refresh would, storing nothing (the remote policy applies).

    The target is checked as registering it would check it (``LocationError``); ``trusted`` says the
    caller is a platform admin.
    """
    check_location_target(spec, trusted=trusted)
    location = Location(type=spec.type, target=spec.target, presence=spec.presence)
    processor = processor_for(location, trusted=trusted)
    entities = list(processor.entities())
    outcome = processor.outcome
    return LocationPreview(
        location=location,
        entities=entities,
        errors=[error for error in outcome.errors if error.level == "error"],
        warnings=[error for error in outcome.errors if error.level != "error"],
        exists=Location.objects.filter(type=spec.type, target=spec.target).exists(),
        read_failed=outcome.read_failed,
    )

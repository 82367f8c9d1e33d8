"""Config as code: definition files named in ``SOUNDCHECK["SOURCES"]``, read through the catalog's readers.

Each source is ``{"type": "file" | "url", "target": ...}`` exactly as a catalog location (a glob
may name several files). A source is applied as a whole: if it cannot be read or any of its files
has an error, nothing stored changes and the outcome lists every error with its file and path.
Definitions a source used to hold and no longer does are removed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from catalog.config import reader_policy
from catalog.formats.readers import read_location

from ..models import Source
from ..services.definitions import apply_definitions
from .parse import DefinitionError, Definitions, parse_definitions

DEFAULTS_DIR = Path(__file__).resolve().parent.parent / "defaults"


@dataclass
class SyncOutcome:
    """What syncing one source did, or why it changed nothing."""

    source: str
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def configured_sources() -> list[dict[str, Any]]:
    return list(getattr(settings, "SOUNDCHECK", {}).get("SOURCES", []))


def sync_source(source_type: str, target: str) -> SyncOutcome:
    """Read and apply one source; every failure comes back in ``errors``, never raised."""
    location = f"{source_type}:{target}"
    outcome = SyncOutcome(location)
    if source_type not in ("file", "url"):
        outcome.errors.append(f"{location}: unsupported source type {source_type!r} (use file or url)")
        return outcome
    # Sources come from settings, so they may be local (under CATALOG_LOCAL_ROOTS).
    result = read_location(source_type, target, reader_policy(trusted=True))
    if result.errors:
        outcome.errors += [f"{error.location_key}: {error.message}" for error in result.errors]
        return outcome
    definitions = Definitions()
    for source_file in result.files:
        try:
            definitions.extend(parse_definitions(source_file.data, source_file.location_key))
        except DefinitionError as error:
            outcome.errors += [f"{error.source}: {message}" for message in error.errors]
    if outcome.errors:
        return outcome
    return _apply(definitions, Source.REPOSITORY, location, outcome)


def _apply(definitions: Definitions, source_name: str, location: str, outcome: SyncOutcome) -> SyncOutcome:
    try:
        report = apply_definitions(definitions, source_name, location)
    except DefinitionError as error:
        outcome.errors += [f"{error.source}: {message}" for message in error.errors]
        return outcome
    outcome.created, outcome.updated, outcome.removed = report.created, report.updated, report.removed
    return outcome


def sync_all_sources() -> list[SyncOutcome]:
    """Sync every configured source; one bad source does not stop the others."""
    outcomes = []
    for index, entry in enumerate(configured_sources()):
        if not isinstance(entry, dict) or not entry.get("type") or not entry.get("target"):
            outcomes.append(
                SyncOutcome(f"SOURCES[{index}]", errors=[f"SOURCES[{index}]: needs a 'type' and a 'target'"])
            )
            continue
        outcomes.append(sync_source(str(entry["type"]), str(entry["target"])))
    return outcomes


def load_defaults() -> SyncOutcome:
    """Apply the definitions shipped in ``soundcheck/defaults/`` (all files as one source)."""
    outcome = SyncOutcome("built-in")
    definitions = Definitions()
    for path in sorted(DEFAULTS_DIR.glob("*.yaml")):
        try:
            definitions.extend(parse_definitions(path.read_bytes(), path.name))
        except DefinitionError as error:
            outcome.errors += [f"{error.source}: {message}" for message in error.errors]
    if outcome.errors:
        return outcome
    return _apply(definitions, Source.BUILT_IN, "built-in", outcome)

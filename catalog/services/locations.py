"""Registering, refreshing and removing locations; every caller (commands, API, tasks) uses these."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from ..audit import record_write
from ..cache import bump_catalog_version
from ..config import allowed_location_types, catalog_settings, global_rules, reader_policy, static_locations
from ..formats.readers import parse_git_target
from ..models import Entity, EntityHistory, Location
from ..signals import announce_entities_changed, location_refreshed
from .backoff import record_refresh_failure
from .errors import ProcessingError
from .known_files import known_files
from .processing import KnownFile, LocationProcessor
from .refresh import RefreshReport, RefreshWriter
from .refresh_requests import enqueue_refresh
from .statistics import analyze_after_large_write
from .stitching import relation_targets, stitch

logger = logging.getLogger(__name__)

LOCATION_TYPES = ("file", "url")
# Far above any real repository URL or path; a longer target is junk, not a location.
MAX_TARGET_LENGTH = 2048
ORPHAN_REFS_RECORDED = 200


class LocationError(ValueError):
    """A location that cannot be registered; the message says why."""


class LocationExists(LocationError):
    """The same ``type:target`` is already registered."""

    def __init__(self, location: Location) -> None:
        super().__init__(f"Location {location.location_ref} already exists")
        self.location = location


class RefreshInProgress(RuntimeError):
    """Another worker is refreshing this location right now."""


@dataclass(frozen=True)
class LocationSpec:
    type: str
    target: str
    presence: str = "required"


def parse_location_target(raw: str) -> LocationSpec:
    """Read what a person types: a path, ``file:PATH``, ``url:URL``, or a git URL.

    A bare local path becomes a ``file`` location (made absolute; a directory means every
    ``catalog-info.yaml`` beneath it); anything with a scheme
    (``https://``, ``ssh://``, ``file://``, ``git@host:``) is a git repository, type ``url``.
    """
    raw = raw.strip()
    if not raw:
        raise LocationError("the location target is empty")
    prefix, sep, rest = raw.partition(":")
    if sep and prefix in LOCATION_TYPES and not rest.startswith("//"):
        location_type, target = prefix, rest.strip()
    elif "://" in raw or raw.startswith("git@"):
        location_type, target = "url", raw
    else:
        location_type, target = "file", raw
    if location_type == "file":
        target = directory_as_glob(str(Path(target).expanduser().absolute()))
    return validate_location_spec(location_type, target)


def directory_as_glob(target: str) -> str:
    """A directory stands for every ``catalog-info.yaml`` beneath it; other targets are unchanged."""
    path = Path(target)
    if path.is_dir():
        return str(path / "**" / "catalog-info.yaml")
    return target


def validate_location_spec(location_type: str, target: str, presence: str = "required") -> LocationSpec:
    """Refuse unknown types, empty, over-long and malformed targets and unsafe target strings.

    A ``url`` target must parse as a git target and a ``file`` target must be an absolute path; who
    may use which target is ``location_targets.check_location_target``'s question.
    """
    if location_type not in LOCATION_TYPES:
        raise LocationError(f"location type {location_type!r} is not supported; use one of {', '.join(LOCATION_TYPES)}")
    if not target or not target.strip():
        raise LocationError("the location target is empty")
    if len(target) > MAX_TARGET_LENGTH:
        raise LocationError(f"the location target is {len(target)} characters long; the limit is {MAX_TARGET_LENGTH}")
    if any(ord(char) < 32 for char in target):
        raise LocationError("the location target contains control characters")
    if target.lower().lstrip().startswith("javascript:"):
        raise LocationError("javascript: targets are not locations")
    if presence not in ("required", "optional"):
        raise LocationError(f"presence must be 'required' or 'optional', not {presence!r}")
    target = target.strip()
    if location_type == "url":
        try:
            parse_git_target(target)
        except ValueError as error:
            raise LocationError(f"url target {target[:200]!r} cannot be read: {error}") from None
    elif not Path(target).is_absolute():
        raise LocationError(f"file target {target[:200]!r} must be an absolute path")
    return LocationSpec(location_type, target, presence)


def register_location(
    spec: LocationSpec,
    *,
    origin: str = Location.Origin.REGISTERED,
    rules: list[dict[str, Any]] | None = None,
    exists_ok: bool = False,
    trusted: bool = False,
    queue_refresh: bool = False,
) -> Location:
    """Store a location. Raises ``LocationExists`` unless ``exists_ok`` (then the stored one is returned).

    The target is checked first (``check_location_target``); ``trusted`` says the caller is settings
    or a platform admin, the only callers that may name a target on this machine. With
    ``queue_refresh`` the location returned (new, or stored under ``exists_ok``) gets a background
    refresh after commit (``enqueue_refresh``); without it the next scheduler tick reads a new
    location, and callers that read it at once (``refresh_location``) need no second read.
    """
    from .location_targets import check_location_target  # it imports this module's LocationError

    check_location_target(spec, trusted=trusted, resolve=origin != Location.Origin.CONFIG)
    existing = Location.objects.filter(type=spec.type, target=spec.target).first()
    if existing is None:
        try:
            with transaction.atomic():
                location = Location.objects.create(
                    type=spec.type, target=spec.target, presence=spec.presence, origin=origin, rules=rules
                )
                record_write("location.register", location.location_ref, origin=origin, presence=spec.presence)
                if queue_refresh:
                    enqueue_refresh(location)
                return location
        except IntegrityError:
            existing = Location.objects.get(type=spec.type, target=spec.target)
    if not exists_ok:
        raise LocationExists(existing)
    if queue_refresh:
        enqueue_refresh(existing)
    return existing


def update_location(location: Location, spec: LocationSpec, *, trusted: bool = False) -> Location:
    """Point a registered location elsewhere and queue its refresh. Raises ``LocationExists`` on a clash."""
    from .location_targets import check_location_target

    check_location_target(spec, trusted=trusted)
    clash = Location.objects.filter(type=spec.type, target=spec.target).exclude(pk=location.pk).first()
    if clash is not None:
        raise LocationExists(clash)
    before = location.location_ref
    with transaction.atomic():
        location.type, location.target, location.presence = spec.type, spec.target, spec.presence
        location.save(update_fields=["type", "target", "presence"])
        record_write("location.update", location.location_ref, previous=before, presence=spec.presence)
        enqueue_refresh(location)
    return location


def generated_location_entity(location: Location) -> dict[str, Any]:
    """The Location entity Backstage generates for a registered location."""
    spec: dict[str, Any] = {"type": location.type, "target": location.target}
    if location.presence != "required":
        spec["presence"] = location.presence
    return {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Location",
        "metadata": {"name": location.entity_name, "namespace": "default"},
        "spec": spec,
    }


def _claim(location: Location) -> bool:
    """Take the refresh lock with one conditional UPDATE; a stale claim (dead worker) is taken over."""
    now = timezone.now()
    stale = now - timedelta(seconds=catalog_settings()["REFRESH_LOCK_TIMEOUT"])
    claimed = (
        Location.objects.filter(pk=location.pk)
        .filter(Q(refresh_claimed_at__isnull=True) | Q(refresh_claimed_at__lt=stale))
        .update(refresh_claimed_at=now, last_refresh_started_at=now)
    )
    return claimed == 1


def processor_for(
    location: Location, *, known: dict[str, KnownFile] | None = None, trusted: bool = True
) -> LocationProcessor:
    """A processor reading ``location`` (saved or not) under the configured rules and limits.

    A stored location passed the local-target rule when it was registered, so it reads as trusted
    (its roots are checked again); a dry run passes its caller's ``trusted``.
    """
    # A discovered location's Location entity is its provider's (services/discovery.py).
    discovered = location.origin == Location.Origin.PROVIDER
    return LocationProcessor(
        location_type=location.type,
        location_target=location.target,
        presence=location.presence,
        origin_ref=location.location_ref,
        generated_entity=None if discovered else generated_location_entity(location),
        parent_ref=location.entity_ref if discovered else "",
        policy=reader_policy(trusted=trusted),
        global_rules=global_rules(),
        location_rules=location.rules,
        known_files=known,
        allowed_location_types=allowed_location_types(),
    )


def refresh_location(location: Location) -> RefreshReport:
    """Read ``location`` now and apply the difference. Raises ``RefreshInProgress`` if already running.

    A refresh that raises is recorded on the location (status error, the reason in its errors)
    and reported as refused, so no caller leaves a location silently pending.
    """
    if location.type == Location.PROVIDER_TYPE:
        # Its entities come from the provider's runs (services/providers.py), not from a target.
        message = "this location belongs to an entity provider; run it with manage.py catalog_providers refresh"
        return RefreshReport(refused=[ProcessingError(location.location_ref, message)])
    if not _claim(location):
        raise RefreshInProgress(f"location {location.location_ref} is being refreshed by another worker")
    # The caller's instance may predate the last refresh; its errors decide which files are re-read.
    location.refresh_from_db()
    from .discovery import entities_to_read, finish_discovered

    try:
        processor = processor_for(location, known=known_files(location))
        writer = RefreshWriter(location, processor.outcome)
        writer.write_all(entities_to_read(location, processor))
        report = writer.finish()
    except Exception as error:
        logger.exception("refreshing %s failed", location.location_ref)
        return RefreshReport(refused=[record_refresh_failure(location, error)])
    except BaseException:
        Location.objects.filter(pk=location.pk).update(refresh_claimed_at=None)
        raise
    location_refreshed.send(sender=Location, location=location, report=report)
    analyze_after_large_write(len(report.added) + len(report.changed) + len(report.orphaned))
    logger.info(
        "refreshed %s: %d added, %d changed, %d unchanged, %d orphaned, %d refused",
        location.location_ref,
        len(report.added),
        len(report.changed),
        report.unchanged,
        len(report.orphaned),
        len(report.refused),
    )
    finish_discovered(location, report)
    return report


def delete_location(location: Location) -> int:
    """Remove a location and every entity it provides, recording each deletion in history."""
    now = timezone.now()
    with transaction.atomic():
        entities = Entity.objects.filter(location=location)
        rows = list(entities.values_list("id", "ref", "generation", "body", "location_key").iterator(chunk_size=2000))
        EntityHistory.objects.bulk_create(
            [
                EntityHistory(
                    entity_ref=ref,
                    entity_uid=uid,
                    generation=generation,
                    change=EntityHistory.Change.DELETED,
                    body=body,
                    location_ref=location.location_ref,
                    location_key=location_key,
                    recorded_at=now,
                )
                for uid, ref, generation, body, location_key in rows
            ],
            batch_size=1000,
        )
        count = entities.count()
        record_write("location.delete", location.location_ref, entities_deleted=count)
        peers = relation_targets(entities.values_list("id", flat=True))
        location.delete()
        stitch(peers)
        transaction.on_commit(bump_catalog_version)
        announce_entities_changed(deleted=[row[1] for row in rows])
    return count


def delete_orphans(refs: Iterable[str] | None = None) -> int:
    """Delete orphaned entities (an explicit action, never automatic), recording history.

    Every orphan, or only those among ``refs``; entities that are not orphaned are never touched.
    """
    now = timezone.now()
    with transaction.atomic():
        chosen = Entity.objects.filter(is_orphan=True)
        if refs is not None:
            chosen = chosen.filter(ref__in=list(refs))
        orphans = chosen.select_related("location")
        EntityHistory.objects.bulk_create([EntityHistory.deletion_of(entity, now) for entity in orphans])
        peers = relation_targets(chosen.values_list("id", flat=True))
        _, deleted_by_model = chosen.delete()
        count = deleted_by_model.get(Entity._meta.label, 0)
        # The refs (the first few hundred) say what went; the history has every deleted body.
        deleted_refs = sorted(orphan.ref for orphan in orphans)[:ORPHAN_REFS_RECORDED]
        record_write("orphans.delete", "orphans", entities_deleted=count, refs=deleted_refs)
        stitch(peers)
        transaction.on_commit(bump_catalog_version)
        announce_entities_changed(deleted=[orphan.ref for orphan in orphans])
    return count


def sync_config_locations() -> list[Location]:
    """Make the stored static locations match configuration (new ones added, rules updated).

    A static location the target checks refuse (outside ``CATALOG_LOCAL_ROOTS``, say) is logged and
    skipped, so the others are still synced and refreshed.
    """
    locations = []
    for static in static_locations():
        try:
            spec = validate_location_spec(static.type, static.target)
            location = register_location(
                spec, origin=Location.Origin.CONFIG, rules=static.rules, exists_ok=True, trusted=True
            )
        except LocationError as error:
            logger.error("catalog location %s:%s from settings is skipped: %s", static.type, static.target, error)
            continue
        if location.origin != Location.Origin.CONFIG or location.rules != static.rules:
            location.origin, location.rules = Location.Origin.CONFIG, static.rules
            location.save(update_fields=["origin", "rules"])
        locations.append(location)
    return locations


def refreshes_to_redispatch(cutoff: datetime, limit: int) -> list[str]:
    """Ids of locations whose refresh was asked for before ``cutoff`` and has not started since.

    Their message was never sent (the broker was down) or was lost with a restarted Redis. A location
    being refreshed right now is left to that refresh (its queued request retries while it runs).
    """
    now = timezone.now()
    stale_claim = now - timedelta(seconds=catalog_settings()["REFRESH_LOCK_TIMEOUT"])
    waiting = (
        Location.objects.filter(refresh_requested_at__lt=cutoff)
        .exclude(type=Location.PROVIDER_TYPE)
        .filter(Q(last_refresh_started_at__isnull=True) | Q(last_refresh_started_at__lt=F("refresh_requested_at")))
        .filter(Q(refresh_claimed_at__isnull=True) | Q(refresh_claimed_at__lt=stale_claim))
        .order_by("refresh_requested_at")
        .values_list("pk", flat=True)[:limit]
    )
    return [str(pk) for pk in waiting]


def due_locations() -> list[Location]:
    """Locations whose last refresh is older than the configured interval (or never ran).

    A location being refreshed right now is not due: its running refresh covers it; nor is one
    still waiting out the backoff of its failed refreshes.
    """
    now = timezone.now()
    cutoff = now - timedelta(seconds=catalog_settings()["REFRESH_INTERVAL"])
    stale_claim = now - timedelta(seconds=catalog_settings()["REFRESH_LOCK_TIMEOUT"])
    return list(
        Location.objects.filter(Q(last_refreshed_at__isnull=True) | Q(last_refreshed_at__lt=cutoff))
        # An entity provider's location is run on the provider's own schedule (services/providers.py).
        .exclude(type=Location.PROVIDER_TYPE)
        .filter(Q(refresh_claimed_at__isnull=True) | Q(refresh_claimed_at__lt=stale_claim))
        # A location that keeps failing waits out its backoff (services/backoff.py).
        .filter(Q(next_refresh_at__isnull=True) | Q(next_refresh_at__lte=now))
    )

"""Writing check, track and campaign definitions: from a source (a file, the defaults) or the admin.

A source's definitions are upserted by key, and what the source no longer defines is removed.
Everything happens in one transaction and is validated first (every check a level or campaign
names must exist, in the definitions or already stored), so a bad file changes nothing. An apply
that changed what is stored records one ``soundcheck.definitions.apply`` audit event; the scheduled
sync of an unchanged source records none, as a catalog refresh that changes nothing.

Checks and tracks edited in the Django admin are saved and deleted here too, one audit event each.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from portal.services.audit import record_event

from ..definitions.parse import DefinitionError, Definitions
from ..models import Campaign, Check, Level, Track


@dataclass
class ApplyReport:
    """Keys created, updated and removed, per kind of definition."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def _validate_references(definitions: Definitions, source_name: str, location: str) -> None:
    # Definitions this source is about to remove cannot be relied upon by what remains.
    check_keys = {check["key"] for check in definitions.checks}
    stored_checks = set(
        Check.objects.exclude(source=source_name, source_location=location).values_list("key", flat=True)
    )
    track_levels = {track["key"]: len(track["levels"]) for track in definitions.tracks}
    stored_tracks = {
        track.key: track.levels.count() for track in Track.objects.exclude(source=source_name, source_location=location)
    }
    known_checks = check_keys | stored_checks
    errors = []
    for track in definitions.tracks:
        for level in track["levels"]:
            for index, key in enumerate(level["checks"]):
                if key not in known_checks:
                    errors.append(f"{level['path']}.checks[{index}]: no check with key {key!r}")
    for campaign in definitions.campaigns:
        if campaign["check"] and campaign["check"] not in known_checks:
            errors.append(f"{campaign['path']}.check: no check with key {campaign['check']!r}")
        if campaign["track"]:
            levels = track_levels.get(campaign["track"], stored_tracks.get(campaign["track"]))
            if levels is None:
                errors.append(f"{campaign['path']}.track: no track with key {campaign['track']!r}")
            elif campaign["target_level"] and campaign["target_level"] > levels:
                errors.append(f"{campaign['path']}.target_level: track {campaign['track']!r} has {levels} levels")
    if errors:
        raise DefinitionError(location, errors)


def apply_definitions(definitions: Definitions, source_name: str, location: str) -> ApplyReport:
    """Store ``definitions`` as coming from ``location``; drop that location's definitions not in them.

    Raises ``DefinitionError`` (and changes nothing) when a level or campaign names a check or
    track that does not exist. A key already defined elsewhere (the admin, another file) is taken
    over by this source.
    """
    report = ApplyReport()
    with transaction.atomic():
        _validate_references(definitions, source_name, location)
        origin = {"source": source_name, "source_location": location}
        before = _stored(origin)
        checks: dict[str, Check] = {}
        for item in definitions.checks:
            fields = {name: item[name] for name in ("name", "description", "rule", "fail_message", "fix")}
            check, created = Check.objects.update_or_create(key=item["key"], defaults={**fields, **origin})
            checks[check.key] = check
            (report.created if created else report.updated).append(f"check:{check.key}")
        tracks: dict[str, Track] = {}
        for item in definitions.tracks:
            fields = {name: item[name] for name in ("name", "description", "entity_filter", "owner_ref")}
            track, created = Track.objects.update_or_create(key=item["key"], defaults={**fields, **origin})
            tracks[track.key] = track
            (report.created if created else report.updated).append(f"track:{track.key}")
            track.levels.all().delete()
            wanted = {key for level in item["levels"] for key in level["checks"]}
            known = {**{check.key: check for check in Check.objects.filter(key__in=wanted)}, **checks}
            for ordinal, level_item in enumerate(item["levels"], start=1):
                level = Level.objects.create(
                    track=track, ordinal=ordinal, name=level_item["name"], description=level_item["description"]
                )
                level.checks.set([known[key] for key in level_item["checks"]])
        for item in definitions.campaigns:
            fields = {
                name: item[name]
                for name in ("name", "description", "target_level", "entity_filter", "starts_on", "deadline")
            }
            fields |= {"owner_ref": item["owner_ref"], "send_reminders": item["send_reminders"]}
            fields["track"] = (
                (tracks.get(item["track"]) or Track.objects.get(key=item["track"])) if item["track"] else None
            )
            fields["rule_check"] = (
                (checks.get(item["check"]) or Check.objects.get(key=item["check"])) if item["check"] else None
            )
            campaign, created = Campaign.objects.update_or_create(key=item["key"], defaults={**fields, **origin})
            (report.created if created else report.updated).append(f"campaign:{campaign.key}")
        for model, kind, keys in (
            (Campaign, "campaign", {item["key"] for item in definitions.campaigns}),
            (Track, "track", set(tracks)),
            (Check, "check", set(checks)),
        ):
            gone = model.objects.filter(**origin).exclude(key__in=keys)
            report.removed += [f"{kind}:{key}" for key in gone.values_list("key", flat=True)]
            gone.delete()
        if report.created or report.removed or _stored(origin) != before:
            record_event(
                "soundcheck.definitions.apply",
                location,
                {"source": source_name, "created": report.created, "updated": report.updated,
                 "removed": report.removed},
            )  # fmt: skip
    return report


def _stored(origin: dict[str, str]) -> tuple:
    """Everything stored from one source, comparable before and after an apply: four queries."""
    checks = Check.objects.filter(**origin).order_by("key")
    tracks = Track.objects.filter(**origin).order_by("key")
    levels = Level.objects.filter(track__in=tracks).order_by("track__key", "ordinal").prefetch_related("checks")
    campaigns = Campaign.objects.filter(**origin).order_by("key")
    level_rows = [
        (level.track_id, level.ordinal, level.name, level.description, sorted(c.key for c in level.checks.all()))
        for level in levels
    ]
    campaign_fields = ("key", "name", "description", "track__key", "target_level", "rule_check__key",
                       "entity_filter", "starts_on", "deadline", "owner_ref", "send_reminders")  # fmt: skip
    return (
        list(checks.values_list("key", "name", "description", "rule", "fail_message", "fix")),
        list(tracks.values_list("key", "name", "description", "entity_filter", "owner_ref")),
        level_rows,
        list(campaigns.values_list(*campaign_fields)),
    )


def _kind(definition: Check | Track) -> str:
    return "check" if isinstance(definition, Check) else "track"


def save_definition(
    definition: Check | Track, *, save_related: Callable[[], Any] | None = None, details: dict | None = None
) -> None:
    """Store a check or track edited by hand (the admin), with what was edited beside it
    (``save_related``: a track's levels), and record one audit event."""
    kind = _kind(definition)
    action = "create" if definition._state.adding else "update"
    with transaction.atomic():
        definition.save()
        if save_related is not None:
            save_related()
        record_event(f"soundcheck.{kind}.{action}", f"{kind}:{definition.key}", details)


def delete_definitions(definitions: Iterable[Check | Track]) -> int:
    """Delete checks or tracks (with their results, levels and campaigns), one audit event each; how
    many were deleted."""
    count = 0
    with transaction.atomic():
        for definition in definitions:
            kind, key = _kind(definition), definition.key
            definition.delete()
            record_event(f"soundcheck.{kind}.delete", f"{kind}:{key}")
            count += 1
    return count

"""Soundcheck rows for the pages' tests, written directly (the evaluation engine is not needed)."""

from __future__ import annotations

import datetime
from itertools import count

from django.utils import timezone

from soundcheck.models import (
    Campaign,
    Check,
    CheckResult,
    CheckResultChange,
    Level,
    Track,
    TrackResult,
    TrackResultChange,
)

_numbers = count(1)


def make_check(key: str | None = None, **fields) -> Check:
    key = key or f"check-{next(_numbers)}"
    fields.setdefault("name", key.replace("-", " ").capitalize())
    fields.setdefault("rule", {"fact": "catalog.owner", "operator": "exists"})
    return Check.objects.create(key=key, **fields)


def make_track(key: str = "basics", levels: tuple[tuple[str, list[Check]], ...] = (), **fields) -> Track:
    """A track with levels L1, L2... each holding the given checks."""
    fields.setdefault("name", key.capitalize())
    track = Track.objects.create(key=key, **fields)
    for ordinal, (name, checks) in enumerate(levels, start=1):
        level = Level.objects.create(track=track, ordinal=ordinal, name=name)
        level.checks.set(checks)
    return track


def at(days_ago: int = 0, hour: int = 12) -> datetime.datetime:
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def track_result(track: Track, ref: str, level: int, owner: str = "", history: tuple[tuple[int, int], ...] = ()):
    """The entity's current level, and its changes as (days ago, level) pairs (the last one at ``level``)."""
    when = at(history[-1][0]) if history else at(0)
    result = TrackResult.objects.create(
        track=track, entity_ref=ref, level=level, owner_ref=owner, evaluated_at=timezone.now(), changed_at=when
    )
    TrackResultChange.objects.bulk_create(
        TrackResultChange(track=track, entity_ref=ref, level=held, owner_ref=owner, changed_at=at(days))
        for days, held in history
    )
    return result


def check_result(check: Check, ref: str, state: str, message: str = "", history: tuple[tuple[int, str], ...] = ()):
    result = CheckResult.objects.create(
        rule_check=check,
        entity_ref=ref,
        state=state,
        message=message,
        evaluated_at=timezone.now() - datetime.timedelta(minutes=2),
        changed_at=timezone.now(),
    )
    CheckResultChange.objects.bulk_create(
        CheckResultChange(rule_check=check, entity_ref=ref, state=held, changed_at=at(days)) for days, held in history
    )
    return result


def make_campaign(key: str = "gold-rush", **fields) -> Campaign:
    fields.setdefault("name", key.replace("-", " ").title())
    fields.setdefault("starts_on", timezone.localdate() - datetime.timedelta(days=10))
    fields.setdefault("deadline", timezone.localdate() + datetime.timedelta(days=20))
    return Campaign.objects.create(key=key, **fields)

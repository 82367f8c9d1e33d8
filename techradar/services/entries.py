"""Curating entries: create, edit and move between rings; every ring change appends a timeline item."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from portal.services.audit import record_write

from ..format import KEY_PATTERN, LINK_SCHEMES
from ..models import Quadrant, Radar, RadarEntry, Ring, TimelineItem
from ..models.radars import DEFAULT_QUADRANTS, DEFAULT_RINGS


class RadarEditError(ValueError):
    """A refused edit; ``field`` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


@dataclass(frozen=True)
class EntryChange:
    """The editable fields of an entry other than its ring (ring changes go through ``move_entry``)."""

    title: str
    quadrant: Quadrant
    description: str = ""
    links: tuple[dict[str, str], ...] = ()


@transaction.atomic
def ensure_radar(slug: str, title: str = "") -> Radar:
    """The radar with ``slug``, created with Backstage's four default quadrants and rings when missing."""
    radar, created = Radar.objects.get_or_create(slug=slug, defaults={"title": title or slug.replace("-", " ").title()})
    if created:
        for index, (key, name) in enumerate(DEFAULT_QUADRANTS):
            Quadrant.objects.create(radar=radar, key=key, name=name, position=index)
        for index, (key, name, color) in enumerate(DEFAULT_RINGS):
            Ring.objects.create(radar=radar, key=key, name=name, color=color, position=index)
        record_write("techradar.radar.create", f"radar:{slug}")
    return radar


def _check_change(radar: Radar, change: EntryChange) -> None:
    if not change.title.strip():
        raise RadarEditError("title", "must not be empty")
    if change.quadrant.radar_id != radar.pk:
        raise RadarEditError("quadrant", f"{change.quadrant.key!r} is not a quadrant of this radar")
    for index, link in enumerate(change.links):
        if not str(link.get("url", "")).strip().lower().startswith(LINK_SCHEMES):
            raise RadarEditError(f"links[{index}].url", "must be an http(s) or mailto URL")
        if not str(link.get("title", "")).strip():
            raise RadarEditError(f"links[{index}].title", "must not be empty")


@transaction.atomic
def create_entry(
    radar: Radar, key: str, change: EntryChange, ring: Ring, *, reason: str = "", date: datetime | None = None
) -> RadarEntry:
    """Add an entry in ``ring``; its timeline starts with one item saying why."""
    if not KEY_PATTERN.fullmatch(key or ""):
        raise RadarEditError("key", "use letters, digits, '.', '_' and '-' (up to 200)")
    if radar.entries.filter(key=key).exists():
        raise RadarEditError("key", f"{key!r} is already on this radar")
    if ring.radar_id != radar.pk:
        raise RadarEditError("ring", f"{ring.key!r} is not a ring of this radar")
    _check_change(radar, change)
    position = (radar.entries.aggregate(last=Max("position"))["last"] or 0) + 1
    entry = RadarEntry.objects.create(
        radar=radar,
        key=key,
        entry_id=key,
        title=change.title.strip(),
        quadrant=change.quadrant,
        ring=ring,
        description=change.description,
        links=[dict(link) for link in change.links],
        position=position,
    )
    start_timeline(entry, reason, date=date)
    Radar.objects.filter(pk=radar.pk).update(updated_at=timezone.now())
    record_write("techradar.entry.create", f"radar:{radar.slug}/{key}", ring=ring.key, quadrant=change.quadrant.key)
    return entry


def start_timeline(entry: RadarEntry, reason: str, *, date: datetime | None = None) -> TimelineItem:
    """The first timeline item of a new entry: where it starts and why (inside the creating write)."""
    return TimelineItem.objects.create(
        entry=entry, sequence=0, date=date or timezone.now(), ring=entry.ring, description=reason
    )


@transaction.atomic
def update_entry(entry: RadarEntry, change: EntryChange) -> RadarEntry:
    """Change the entry's title, quadrant, description and links; the timeline is untouched."""
    _check_change(entry.radar, change)
    entry.title = change.title.strip()
    entry.quadrant = change.quadrant
    entry.description = change.description
    entry.links = [dict(link) for link in change.links]
    entry.save()
    Radar.objects.filter(pk=entry.radar_id).update(updated_at=timezone.now())
    record_write("techradar.entry.update", f"radar:{entry.radar.slug}/{entry.key}", quadrant=change.quadrant.key)
    return entry


@transaction.atomic
def move_entry(entry: RadarEntry, ring: Ring, reason: str, *, date: datetime | None = None) -> TimelineItem:
    """Put the entry in another ring, appending a timeline item with the reason and the direction."""
    entry = RadarEntry.objects.select_for_update().select_related("ring", "radar").get(pk=entry.pk)
    previous = entry.ring
    item = append_move(entry, ring, reason, date=date)
    entry.save(update_fields=["ring", "updated_at"])
    Radar.objects.filter(pk=entry.radar_id).update(updated_at=timezone.now())
    record_write(
        "techradar.entry.move", f"radar:{entry.radar.slug}/{entry.key}", from_ring=previous.key, to_ring=ring.key
    )
    return item


def check_move(entry: RadarEntry, ring: Ring, reason: str) -> None:
    """Refuse a move to another radar's ring, to the ring the entry is in, or without a reason."""
    if ring.radar_id != entry.radar_id:
        raise RadarEditError("ring", f"{ring.key!r} is not a ring of this radar")
    if ring.pk == entry.ring_id:
        raise RadarEditError("ring", f"the entry is already in {ring.name}")
    if not reason.strip():
        raise RadarEditError("reason", "say why the entry moves; the timeline keeps it")


def append_move(entry: RadarEntry, ring: Ring, reason: str, *, date: datetime | None = None) -> TimelineItem:
    """The timeline item of a move, and ``entry.ring`` set to ``ring`` (the caller saves the entry).

    ``moved`` is stored as Backstage means it: 1 towards the centre (Adopt), -1 outwards.
    """
    check_move(entry, ring, reason)
    previous = entry.ring
    sequence = (entry.timeline.aggregate(last=Max("sequence"))["last"] or 0) + 1
    item = TimelineItem.objects.create(
        entry=entry,
        sequence=sequence,
        date=date or timezone.now(),
        ring=ring,
        from_ring=previous,
        description=reason.strip(),
        moved=1 if ring.position < previous.position else -1,
    )
    entry.ring = ring
    return item


@transaction.atomic
def change_entry(
    entry: RadarEntry, change: EntryChange | None = None, ring: Ring | None = None, reason: str = ""
) -> RadarEntry:
    """An edit and a move as one write (the API's PATCH): both or neither, and one audit event.

    Either alone is ``update_entry`` or ``move_entry``; both are recorded as ``techradar.entry.update``
    with the rings moved between.
    """
    if ring is None or change is None:
        if change is not None:
            return update_entry(entry, change)
        if ring is not None:
            move_entry(entry, ring, reason)
        return entry
    entry = RadarEntry.objects.select_for_update().select_related("ring", "radar").get(pk=entry.pk)
    _check_change(entry.radar, change)
    previous = entry.ring
    append_move(entry, ring, reason)
    entry.title = change.title.strip()
    entry.quadrant = change.quadrant
    entry.description = change.description
    entry.links = [dict(link) for link in change.links]
    entry.save()
    Radar.objects.filter(pk=entry.radar_id).update(updated_at=timezone.now())
    record_write(
        "techradar.entry.update",
        f"radar:{entry.radar.slug}/{entry.key}",
        quadrant=change.quadrant.key,
        from_ring=previous.key,
        to_ring=ring.key,
    )
    return entry

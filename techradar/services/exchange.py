"""Radar data in and out: a whole radar replaced from a Backstage file, or written back as one."""

from __future__ import annotations

from django.db import transaction

from portal.services.audit import record_write

from ..format import EntryData, QuadrantData, RadarData, RingData, TimelineData, radar_to_document
from ..models import Quadrant, Radar, RadarEntry, Ring, TimelineItem


@transaction.atomic
def import_radar(data: RadarData, slug: str, *, title: str = "", actor_note: str = "import") -> Radar:
    """Replace the radar's quadrants, rings and entries with ``data`` (created when missing).

    The file is the whole truth about the radar, as Backstage's backend serves it: entries missing
    from it go. The data was validated before this is called, so nothing here can half-fail.
    """
    radar, created = Radar.objects.get_or_create(slug=slug, defaults={"title": title or slug.replace("-", " ").title()})
    if title and radar.title != title:
        radar.title = title
    radar.entries.all().delete()
    radar.quadrants.all().delete()
    radar.rings.all().delete()
    quadrants = {
        item.key: Quadrant.objects.create(radar=radar, key=item.key, name=item.name, position=index)
        for index, item in enumerate(data.quadrants)
    }
    rings = {
        item.key: Ring.objects.create(
            radar=radar,
            key=item.key,
            name=item.name,
            color=item.color,
            description=item.description or "",
            position=index,
        )
        for index, item in enumerate(data.rings)
    }
    entries = RadarEntry.objects.bulk_create(
        [
            RadarEntry(
                radar=radar,
                key=item.key,
                entry_id=item.entry_id,
                title=item.title,
                quadrant=quadrants[item.quadrant],
                ring=rings[item.timeline[0].ring],
                description=item.description or "",
                links=list(item.links or ()),
                url=item.url or "",
                position=index,
            )
            for index, item in enumerate(data.entries)
        ]
    )
    if not all(entry.pk for entry in entries):  # backends that do not return ids from bulk inserts
        by_key = dict(radar.entries.values_list("key", "pk"))
        for entry in entries:
            entry.pk = by_key[entry.key]
    TimelineItem.objects.bulk_create(
        [row for entry, item in zip(entries, data.entries, strict=True) for row in _timeline_rows(entry, item, rings)]
    )
    radar.save()
    record_write(
        "techradar.import", f"radar:{radar.slug}", source=actor_note, entries=len(data.entries), created=created
    )
    return radar


def _timeline_rows(entry: RadarEntry, item: EntryData, rings: dict[str, Ring]) -> list[TimelineItem]:
    """The file lists the newest first; each row's from-ring is the ring of the item after it."""
    rows = []
    count = len(item.timeline)
    for index, step in enumerate(item.timeline):
        older = item.timeline[index + 1] if index + 1 < count else None
        rows.append(
            TimelineItem(
                entry=entry,
                sequence=count - 1 - index,
                date=step.date,
                ring=rings[step.ring],
                from_ring=rings[older.ring] if older else None,
                description=step.description or "",
                moved=step.moved,
            )
        )
    return rows


def radar_data(radar: Radar) -> RadarData:
    """The radar as ``RadarData``, read in four queries whatever its size."""
    quadrants = list(radar.quadrants.all())
    rings = list(radar.rings.all())
    ring_keys = {ring.pk: ring.key for ring in rings}
    quadrant_keys = {quadrant.pk: quadrant.key for quadrant in quadrants}
    timelines: dict[int, list[TimelineItem]] = {}
    for row in TimelineItem.objects.filter(entry__radar=radar).order_by("entry_id", "-sequence"):
        timelines.setdefault(row.entry_id, []).append(row)
    entries = tuple(
        EntryData(
            key=entry.key,
            entry_id=entry.entry_id,
            title=entry.title,
            quadrant=quadrant_keys[entry.quadrant_id],
            timeline=tuple(
                TimelineData(ring_keys[row.ring_id], row.date, row.description or None, row.moved)
                for row in timelines.get(entry.pk, [])
            ),
            description=entry.description or None,
            links=tuple(entry.links) if entry.links else None,
            url=entry.url or None,
        )
        for entry in radar.entries.all()
    )
    return RadarData(
        quadrants=tuple(QuadrantData(quadrant.key, quadrant.name) for quadrant in quadrants),
        rings=tuple(RingData(ring.key, ring.name, ring.color, ring.description or None) for ring in rings),
        entries=entries,
    )


def export_radar(radar: Radar) -> dict:
    """The radar in Backstage's format, as its tech-radar endpoint returns it."""
    return radar_to_document(radar_data(radar))

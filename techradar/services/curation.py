"""Curators' edits in the Django admin: radars with their quadrants and rings, and entries.

Each admin submission is one write and records one event. An entry's ring changed in the admin is
a move under the same rules as ``move_entry`` (a timeline item says so), recorded in that one event.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.forms import BaseFormSet
from django.utils import timezone

from portal.services.audit import record_write

from ..models import Radar, RadarEntry, Ring
from .entries import append_move, check_move, start_timeline

ADMIN_MOVE_REASON = "Moved in the admin"
ADMIN_ADD_REASON = "Added in the admin"


@transaction.atomic
def save_radar(radar: Radar, *, created: bool, changed_fields: Iterable[str] = ()) -> Radar:
    """Store a radar's own fields; its quadrants and rings follow through ``save_radar_parts``."""
    radar.save()
    action = "techradar.radar.create" if created else "techradar.radar.admin_change"
    record_write(action, f"radar:{radar.slug}", fields=sorted(changed_fields))
    return radar


def save_radar_parts(formset: BaseFormSet) -> None:
    """Store the quadrants or rings edited beside their radar; ``save_radar``'s event covers them."""
    formset.save()


@transaction.atomic
def delete_radar(radar: Radar) -> None:
    """Delete a radar with its quadrants, rings, entries and timelines."""
    slug, entries = radar.slug, radar.entries.count()
    radar.delete()
    record_write("techradar.radar.delete", f"radar:{slug}", entries_deleted=entries)


@transaction.atomic
def add_entry(entry: RadarEntry) -> RadarEntry:
    """Store an entry made in the admin; its timeline starts like ``create_entry``'s."""
    entry.save()
    start_timeline(entry, ADMIN_ADD_REASON, date=entry.updated_at)
    Radar.objects.filter(pk=entry.radar_id).update(updated_at=timezone.now())
    record_write(
        "techradar.entry.create",
        f"radar:{entry.radar.slug}/{entry.key}",
        ring=entry.ring.key,
        quadrant=entry.quadrant.key,
    )
    return entry


@transaction.atomic
def edit_entry(entry: RadarEntry, changed_fields: list[str], *, ring_before: Ring) -> RadarEntry:
    """Store an entry edited in the admin (its new values set on it); a new ring is a move.

    A move ``move_entry`` would refuse raises ``RadarEditError`` before anything is stored.
    """
    details: dict[str, object] = {"fields": list(changed_fields)}
    if entry.ring_id != ring_before.pk:
        new_ring = entry.ring
        entry.ring = ring_before
        check_move(entry, new_ring, ADMIN_MOVE_REASON)
        entry.save()
        append_move(entry, new_ring, ADMIN_MOVE_REASON)
        entry.save(update_fields=["ring", "updated_at"])
        details.update(from_ring=ring_before.key, to_ring=new_ring.key)
    else:
        entry.save()
    Radar.objects.filter(pk=entry.radar_id).update(updated_at=timezone.now())
    record_write("techradar.entry.admin_change", f"radar:{entry.radar.slug}/{entry.key}", **details)
    return entry


@transaction.atomic
def delete_entry(entry: RadarEntry) -> None:
    """Delete an entry with its timeline."""
    target = f"radar:{entry.radar.slug}/{entry.key}"
    entry.delete()
    record_write("techradar.entry.delete", target)

"""Asking for a refresh: from registration, the entity page, the API, the admin or a git push."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from portal.jobs import send_job

from ..audit import record_write
from ..models import Entity, Location


def enqueue_refresh(location: Location) -> None:
    """Record that a refresh of ``location`` was asked for, and queue it once the transaction commits.

    The record outlives a broker outage: the sweeper sends the refresh again if it has not started.
    """
    Location.objects.filter(pk=location.pk).update(refresh_requested_at=timezone.now())
    send_job("catalog.refresh_location", str(location.pk))


def request_refresh(location: Location, *, entity: Entity | None = None, reason: str = "") -> None:
    """Queue a refresh of ``location`` after commit and record who asked, naming the entity if one was."""
    with transaction.atomic():
        details = {"location": location.location_ref}
        if reason:
            details["reason"] = reason
        if entity is not None:
            record_write("entity.refresh", entity.ref, **details)
        else:
            record_write("location.refresh", location.location_ref, **details)
        enqueue_refresh(location)

"""Asking for a refresh now: from the entity page, the API, the admin or a git push."""

from __future__ import annotations

from django.db import transaction

from ..audit import record_write
from ..models import Entity, Location
from ..tasks import enqueue_refresh


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

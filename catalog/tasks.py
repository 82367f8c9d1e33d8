"""Celery entry points for the catalog: they take ids, re-read rows, and call services."""

from __future__ import annotations

import logging

from celery import shared_task

from .models import Location
from .services import RefreshInProgress, due_locations, refresh_location, sync_config_locations

logger = logging.getLogger(__name__)


# A refresh asked for while another runs (a push during a refresh) waits for it, then runs: the
# running one may have read the repository before the push.
BUSY_RETRY_SECONDS = 5
BUSY_MAX_RETRIES = 120


@shared_task(name="catalog.refresh_location", bind=True, max_retries=BUSY_MAX_RETRIES)
def refresh_location_task(self, location_id: str) -> dict | None:
    """Refresh one location; a location removed meanwhile is skipped, a busy one is retried shortly."""
    location = Location.objects.filter(pk=location_id).first()
    if location is None:
        logger.info("location %s no longer exists; nothing to refresh", location_id)
        return None
    try:
        report = refresh_location(location)
    except RefreshInProgress as busy:
        logger.info("%s; trying again in %ss", busy, BUSY_RETRY_SECONDS)
        if self.request.called_directly or self.request.is_eager:
            return None
        raise self.retry(countdown=BUSY_RETRY_SECONDS) from None
    return {
        "added": len(report.added),
        "changed": len(report.changed),
        "unchanged": report.unchanged,
        "orphaned": len(report.orphaned),
        "refused": len(report.refused),
    }


@shared_task(name="catalog.refresh_due_locations")
def refresh_due_locations_task() -> int:
    """The periodic tick: sync static locations, then enqueue one refresh per location that is due."""
    sync_config_locations()
    locations = due_locations()
    for location in locations:
        refresh_location_task.delay(str(location.pk))
    return len(locations)


def enqueue_refresh(location: Location) -> None:
    """Queue a refresh of ``location`` once the current transaction commits."""
    from django.db import transaction

    location_id = str(location.pk)
    transaction.on_commit(lambda: refresh_location_task.delay(location_id))

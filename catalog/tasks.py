"""Celery entry points for the catalog: they take ids, re-read rows, and call services."""

from __future__ import annotations

import logging

from celery import shared_task

from portal.jobs import REDISPATCH_BATCH, redispatch_cutoff, send_job_now

from .config import configured_providers
from .models import Location
from .services import (
    RefreshInProgress,
    due_locations,
    refresh_location,
    refreshes_to_redispatch,
    sync_config_locations,
)
from .services.providers import ProviderBusy, due_providers, run_provider
from .services.statistics import refresh_planner_statistics

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


@shared_task(name="catalog.analyze")
def analyze_catalog_task() -> None:
    """Refresh the planner's statistics of the catalog tables after a large refresh."""
    refresh_planner_statistics()


@shared_task(name="catalog.refresh_due_locations")
def refresh_due_locations_task() -> int:
    """The periodic tick: sync static locations, then enqueue one refresh per location that is due."""
    sync_config_locations()
    locations = due_locations()
    for location in locations:
        send_job_now(refresh_location_task.name, str(location.pk))
    return len(locations)


@shared_task(name="catalog.redispatch_refreshes")
def redispatch_refreshes_task() -> int:
    """The periodic sweeper: refreshes asked for but not started in time are sent to the broker again."""
    location_ids = refreshes_to_redispatch(redispatch_cutoff(), REDISPATCH_BATCH)
    for location_id in location_ids:
        send_job_now(refresh_location_task.name, location_id)
    if location_ids:
        logger.warning("sent %d waiting location refreshes to the job queue again", len(location_ids))
    return len(location_ids)


@shared_task(name="catalog.run_provider")
def run_provider_task(provider_id: str) -> dict | None:
    """Run one configured entity provider; one no longer configured, or busy elsewhere, is skipped."""
    provider = configured_providers().by_id(provider_id)
    if provider is None:
        logger.info("entity provider %s is not configured; nothing to run", provider_id)
        return None
    try:
        report = run_provider(provider)
    except ProviderBusy as busy:
        logger.info("%s", busy)
        return None
    return {
        "added": len(report.added),
        "changed": len(report.changed),
        "removed": len(report.removed),
        "error": report.error,
    }


@shared_task(name="catalog.run_due_providers")
def run_due_providers_task() -> int:
    """The periodic tick for entity providers: one job per provider whose schedule says it is due."""
    providers = due_providers(configured_providers().providers)
    for provider in providers:
        send_job_now(run_provider_task.name, provider.provider_id)
    return len(providers)

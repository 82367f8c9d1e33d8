"""Celery entry points: sync radars from their configured files."""

from __future__ import annotations

from celery import shared_task

from .services.sync import radar_sources, sync_radar_source


@shared_task(name="techradar.sync_radars")
def sync_radars() -> list[dict]:
    """Sync every configured source; one bad source does not stop the others. Safe to retry."""
    return [sync_radar_source(source) for source in radar_sources()]

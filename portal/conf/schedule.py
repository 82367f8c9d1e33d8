"""Celery beat's schedule (``CELERY_BEAT_SCHEDULE``): each periodic job, its task name and its tick."""

from __future__ import annotations

from typing import Any

from portal.env import env_int


def beat_schedule(radar_sync_interval: int) -> dict[str, dict[str, Any]]:
    """The periodic jobs; ``radar_sync_interval`` is ``TECH_RADAR["SYNC_INTERVAL"]``."""
    return {
        # Cheap when nothing is due: one query, then one job per location whose interval has passed.
        "catalog-refresh-due-locations": {
            "task": "catalog.refresh_due_locations",
            "schedule": float(env_int("CATALOG_SCHEDULER_TICK", 30)),
        },
        # Entity providers (catalog.providers): one query, then one job per provider whose own
        # schedule.frequency has passed or whose run was asked for (catalog/services/providers.py).
        "catalog-run-due-providers": {
            "task": "catalog.run_due_providers",
            "schedule": float(env_int("CATALOG_PROVIDER_TICK", 30)),
        },
        # Rebuilds docs whose source changed since their last build (the refresh also triggers this).
        "techdocs-check-sources": {
            "task": "techdocs.check_sources",
            "schedule": float(env_int("TECHDOCS_CHECK_INTERVAL", 600)),
        },
        "techradar-sync-radars": {"task": "techradar.sync_radars", "schedule": float(radar_sync_interval)},
        # Daily: each campaign is mailed at most once per SOUNDCHECK_REMINDERS["INTERVAL_DAYS"].
        "soundcheck-send-campaign-reminders": {
            "task": "soundcheck.send_campaign_reminders",
            "schedule": float(env_int("SOUNDCHECK_REMINDER_TICK", 86400)),
        },
        # Soundcheck (docs/soundcheck.md): collect facts and evaluate every check; sync config-as-code sources.
        "soundcheck-collect-and-evaluate": {
            "task": "soundcheck.collect_and_evaluate",
            "schedule": float(env_int("SOUNDCHECK_COLLECT_INTERVAL", 3600)),
        },
        "soundcheck-sync-sources": {
            "task": "soundcheck.sync_sources",
            "schedule": float(env_int("SOUNDCHECK_SYNC_INTERVAL", 600)),
        },
        # Fails scaffolder runs whose worker died (no heartbeat for SCAFFOLDER["TASK_TIMEOUT"] seconds).
        "scaffolder-fail-stale-tasks": {
            "task": "scaffolder.fail_stale_tasks",
            "schedule": float(env_int("SCAFFOLDER_REAPER_TICK", 60)),
        },
        # Deletes finished runs' workspaces kept past SCAFFOLDER["WORKSPACE_RETENTION"] (docs/scaffolder.md).
        "scaffolder-remove-expired-workspaces": {
            "task": "scaffolder.remove_expired_workspaces",
            "schedule": float(env_int("SCAFFOLDER_WORKSPACE_CLEAN_TICK", 3600)),
        },
        # Send again the jobs that waited JOB_REDISPATCH_AFTER seconds without starting (portal/jobs.py).
        "catalog-redispatch-refreshes": {
            "task": "catalog.redispatch_refreshes",
            "schedule": float(env_int("JOB_REDISPATCH_TICK", 60)),
        },
        "scaffolder-redispatch-open-tasks": {
            "task": "scaffolder.redispatch_open_tasks",
            "schedule": float(env_int("JOB_REDISPATCH_TICK", 60)),
        },
        "techdocs-redispatch-queued-builds": {
            "task": "techdocs.redispatch_queued_builds",
            "schedule": float(env_int("JOB_REDISPATCH_TICK", 60)),
        },
        # Fails TechDocs builds left running by a worker that died (older than the build timeout).
        "techdocs-fail-stale-builds": {
            "task": "techdocs.fail_stale_builds",
            "schedule": float(env_int("TECHDOCS_REAPER_TICK", 60)),
        },
    }

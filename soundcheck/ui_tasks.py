"""Celery entry points of Soundcheck's pages: re-run an entity's checks, send campaign reminders.

The evaluator is imported when the task runs, not when this module loads, so the pages work (and the
task fails with a clear log line) on an installation without the evaluation engine.
"""

from __future__ import annotations

import logging

from celery import shared_task

from .reminders import send_campaign_reminders

logger = logging.getLogger(__name__)


@shared_task(name="soundcheck.rerun_checks")
def rerun_checks(entity_ref: str) -> bool:
    """Evaluate every check of one entity now; False when no evaluator is installed."""
    try:
        from .services.evaluations import evaluate_entity
    except ImportError:
        logger.error("soundcheck.services.evaluations is not installed; cannot re-run the checks of %s", entity_ref)
        return False
    evaluate_entity(entity_ref)
    return True


@shared_task(name="soundcheck.send_campaign_reminders")
def send_campaign_reminders_task() -> list[dict]:
    """Weekly (by default) mails to the laggard teams of running campaigns with reminders on."""
    return [report.__dict__ for report in send_campaign_reminders()]

"""When the scheduler may refresh a location again, and what a crashed refresh leaves on it.

A location whose refreshes keep failing (the refresh crashed, or its target could not be read)
costs a worker on every tick without changing anything. After the first failure the next
scheduled refresh waits ``REFRESH_INTERVAL``; each further failure in a row doubles the wait, up
to ``REFRESH_BACKOFF_MAX``. A refresh that completes resets the count. Refreshes asked for (the
UI, the API, a webhook, a command) are not held back: only the scheduler reads the delay.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import DatabaseError, transaction
from django.utils import timezone

from ..config import catalog_settings
from ..models import Location
from .errors import ProcessingError

logger = logging.getLogger(__name__)

CRASH_MESSAGE = "the refresh failed unexpectedly"


def backoff_delay(failures: int, interval: int, cap: int) -> timedelta:
    """The wait before the next scheduled refresh after ``failures`` failed refreshes in a row."""
    if failures <= 0:
        return timedelta(0)
    # Past 2**32 intervals every cap is reached; the bound keeps the power small.
    doublings = min(failures - 1, 32)
    return timedelta(seconds=min(interval * 2**doublings, cap))


def outcome_fields(location: Location, *, failed: bool, now: datetime | None = None) -> dict[str, Any]:
    """The backoff columns to write with a refresh's outcome.

    ``location.consecutive_failures`` must be the stored count from before this refresh.
    """
    if not failed:
        return {"consecutive_failures": 0, "next_refresh_at": None}
    failures = location.consecutive_failures + 1
    settings = catalog_settings()
    delay = backoff_delay(failures, settings["REFRESH_INTERVAL"], settings["REFRESH_BACKOFF_MAX"])
    return {"consecutive_failures": failures, "next_refresh_at": (now or timezone.now()) + delay}


def _earlier_errors(location: Location) -> list[dict[str, Any]]:
    return [error for error in location.errors if not str(error.get("message", "")).startswith(CRASH_MESSAGE)]


def record_refresh_failure(location: Location, error: Exception) -> ProcessingError:
    """Put a refresh that raised on the location: status error, the reason shown, the claim released.

    Entities keep their last good version: nothing about them is changed here. The errors of
    the last completed refresh are kept beside the new one (they still decide which files the
    next refresh must read again). When the database itself refuses the write (its connection
    is broken), the claim expires on its own after ``REFRESH_LOCK_TIMEOUT`` and the error stays
    in the log.
    """
    reason = str(error).strip().splitlines()[0] if str(error).strip() else "no details"
    problem = ProcessingError(
        location.location_ref,
        f"{CRASH_MESSAGE} ({type(error).__name__}: {reason[:500]}); the entities keep their last good version",
    )
    try:
        with transaction.atomic():
            Location.objects.filter(pk=location.pk).update(
                status=Location.Status.ERROR,
                errors=[*_earlier_errors(location), problem.as_dict()],
                refresh_claimed_at=None,
                **outcome_fields(location, failed=True),
            )
    except DatabaseError:
        logger.exception("could not record the failed refresh of %s", location.location_ref)
    return problem

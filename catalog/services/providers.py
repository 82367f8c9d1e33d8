"""Running entity providers: each run replaces the provider's entities with what it read, or nothing.

A provider owns one ``Location`` row (type ``provider``, target its id, origin ``provider``). A run
reads the provider's full set (``EntityProvider.read``, within the schedule's timeout), judges every
entity as a location's documents are judged, and writes the difference against what the location
holds in ONE transaction through the refresh writer: added, changed, and gone (orphaned, or deleted
under ``catalog.orphanStrategy: delete``), with history, relations, stitching and the search rows.
A run that raises (``ProviderError``, a timeout, any bug) rolls back and changes no entity; it
records the error and the failure count on the provider's ``ProviderState``.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from portal.jobs import send_job

from ..audit import record_write
from ..config import orphan_strategy
from ..models import Entity, Location, ProviderState
from ..providers.base import EntityProvider, ProviderError, ProviderOutput
from .discovery import live_location_targets, note_problems, sync_discovered_locations
from .errors import ProcessingError
from .locations import delete_orphans
from .provider_output import judge_provider_output
from .refresh import RefreshWriter
from .statistics import analyze_after_large_write

logger = logging.getLogger(__name__)

PROVIDER_LOCATION_TYPE = Location.PROVIDER_TYPE
# Longest error text kept on the state row; a provider's message past this is cut.
MAX_ERROR_LENGTH = 2000


class ProviderBusy(RuntimeError):
    """Another worker is running this provider right now."""


@dataclass
class ProviderRunReport:
    """What one run did: the refs added, changed and removed, or the error that stopped it."""

    provider_id: str
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    refused: list[ProcessingError] = field(default_factory=list)
    entity_count: int = 0
    duration_seconds: float = 0.0
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def provider_type(provider: EntityProvider) -> str:
    """The config key a provider came from: ``ldapOrg`` for ``ldapOrg:corp``."""
    return provider.provider_id.partition(":")[0]


def ensure_provider_state(provider: EntityProvider) -> ProviderState:
    """The provider's state row and its location, created on first sight."""
    state = ProviderState.objects.select_related("location").filter(provider_id=provider.provider_id).first()
    if state is not None:
        return state
    with transaction.atomic():
        location, _ = Location.objects.get_or_create(
            type=PROVIDER_LOCATION_TYPE,
            target=provider.provider_id,
            defaults={"origin": Location.Origin.PROVIDER, "presence": "required"},
        )
        state, _ = ProviderState.objects.get_or_create(
            provider_id=provider.provider_id,
            defaults={"provider_type": provider_type(provider), "location": location},
        )
    return state


def sync_provider_states(providers: tuple[EntityProvider, ...] | list[EntityProvider]) -> list[ProviderState]:
    """A state row for every configured provider, in the providers' order."""
    return [ensure_provider_state(provider) for provider in providers]


def _claim(state: ProviderState, timeout_seconds: float, now: datetime) -> bool:
    # A claim older than twice the timeout belongs to a worker that died mid-run.
    stale = now - timedelta(seconds=2 * timeout_seconds)
    claimed = (
        ProviderState.objects.filter(pk=state.pk)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
        .update(claimed_at=now, last_started_at=now, run_requested_at=None)
    )
    return claimed == 1


def read_within(provider: EntityProvider, timeout_seconds: float) -> ProviderOutput:
    """``provider.read()``, or ``ProviderError`` once ``timeout_seconds`` pass without an answer.

    The read runs in a daemon thread; one that overruns is abandoned (its result is dropped), since
    a Python thread cannot be killed. Providers bound their own network waits by the same timeout.
    """
    result: dict[str, object] = {}

    def target() -> None:
        try:
            result["output"] = provider.read()
        except BaseException as error:  # re-raised in the caller's thread
            result["error"] = error

    thread = threading.Thread(target=target, name=f"provider {provider.provider_id}", daemon=True)
    thread.start()
    thread.join(timeout_seconds)
    if thread.is_alive():
        raise ProviderError(f"the run did not finish within its timeout of {timeout_seconds:g} seconds")
    if "error" in result:
        raise result["error"]  # type: ignore[misc]
    output = result.get("output")
    if not isinstance(output, ProviderOutput):
        raise ProviderError(f"the provider returned {type(output).__name__}, not a ProviderOutput")
    return output


def run_provider(provider: EntityProvider) -> ProviderRunReport:
    """Run ``provider`` now and apply its full set; never raises for a failed run (see the report).

    Raises ``ProviderBusy`` when another worker holds the run.
    """
    state = ensure_provider_state(provider)
    schedule = provider.schedule
    timeout = schedule.timeout_seconds if schedule is not None else 900.0
    started = timezone.now()
    if not _claim(state, timeout, started):
        raise ProviderBusy(f"provider {provider.provider_id} is being run by another worker")
    clock = time.monotonic()
    report = ProviderRunReport(provider.provider_id)
    try:
        output = read_within(provider, timeout)
        _apply(state.location, output, report, started)
    except Exception as error:
        report.error = _describe(error)[:MAX_ERROR_LENGTH]
        logger.error("entity provider %s failed: %s", provider.provider_id, report.error)
    except BaseException:
        ProviderState.objects.filter(pk=state.pk).update(claimed_at=None)
        raise
    report.duration_seconds = time.monotonic() - clock
    _record(state, report, timezone.now())
    if report.ok:
        logger.info(
            "entity provider %s: %d added, %d changed, %d removed, %d refused, %d entities in %.2fs",
            provider.provider_id,
            len(report.added),
            len(report.changed),
            len(report.removed),
            len(report.refused),
            report.entity_count,
            report.duration_seconds,
        )
    return report


def _describe(error: Exception) -> str:
    if isinstance(error, ProviderError):
        return str(error) or "the provider failed"
    # Not a provider's own report: the type says where to look; the traceback goes to the log only
    # through the provider's own logging, never with its configuration.
    return f"{type(error).__name__}: {error}"


def _apply(location: Location, output: ProviderOutput, report: ProviderRunReport, now: datetime) -> None:
    """Write the run's entities in one transaction: all of its changes, or none."""
    location.refresh_from_db()
    # Bodies equal to what a stored entity was judged from are not judged again (one query).
    known = dict(
        Entity.objects.filter(location=location, is_orphan=False)
        .exclude(source_digest="")
        .values_list("ref", "source_digest")
        .iterator(chunk_size=5000)
    )
    items, outcome = judge_provider_output(output, location.location_ref, known)
    with transaction.atomic():
        discovered_before = live_location_targets(location)
        writer = RefreshWriter(location, outcome, now=now)
        writer.write_all(items)
        refresh = writer.finish()
        if refresh.orphaned and orphan_strategy() == "delete":
            delete_orphans(refresh.orphaned)
        note_problems(location, sync_discovered_locations(location, discovered_before))
        report.entity_count = Entity.objects.filter(location=location, is_orphan=False).count()
    report.added, report.changed, report.removed = refresh.added, refresh.changed, refresh.orphaned
    report.refused = refresh.refused
    # As after a location's refresh: the lists' planner statistics, in a job of their own.
    analyze_after_large_write(len(refresh.added) + len(refresh.changed) + len(refresh.orphaned))


def _record(state: ProviderState, report: ProviderRunReport, finished: datetime) -> None:
    values = {
        "claimed_at": None,
        "last_finished_at": finished,
        "duration_seconds": report.duration_seconds,
    }
    if report.ok:
        values |= {
            "last_succeeded_at": finished,
            "added": len(report.added),
            "changed": len(report.changed),
            "removed": len(report.removed),
            "refused": sum(error.level == "error" for error in report.refused),
            "entity_count": report.entity_count,
            "last_error": "",
            "consecutive_failures": 0,
        }
        ProviderState.objects.filter(pk=state.pk).update(**values)
    else:
        ProviderState.objects.filter(pk=state.pk).update(
            **values, last_error=report.error, consecutive_failures=F("consecutive_failures") + 1
        )


def request_provider_run(state: ProviderState) -> None:
    """Ask for a run now ("refresh now" on the providers page): a job after commit, and a mark the
    scheduler's next tick also honours should the job be lost."""
    with transaction.atomic():
        ProviderState.objects.filter(pk=state.pk).update(run_requested_at=timezone.now())
        record_write("provider.refresh", state.provider_id)
        send_job("catalog.run_provider", state.provider_id)


def is_due(state: ProviderState, provider: EntityProvider, now: datetime) -> bool:
    """Whether the scheduler should start ``provider`` now: asked for, or its frequency has passed."""
    schedule = provider.schedule
    if schedule is None and state.run_requested_at is None:
        return False
    if state.claimed_at is not None:
        timeout = schedule.timeout_seconds if schedule is not None else 900.0
        if state.claimed_at > now - timedelta(seconds=2 * timeout):
            return False
    if state.run_requested_at is not None:
        return True
    assert schedule is not None
    if state.last_started_at is None:
        return state.location.created_at + timedelta(seconds=schedule.initial_delay_seconds) <= now
    return state.last_started_at + timedelta(seconds=schedule.frequency_seconds) <= now


def due_providers(providers: tuple[EntityProvider, ...] | list[EntityProvider]) -> list[EntityProvider]:
    """The configured providers the scheduler should start now."""
    states = {state.provider_id: state for state in sync_provider_states(providers)}
    now = timezone.now()
    return [provider for provider in providers if is_due(states[provider.provider_id], provider, now)]

"""``manage.py catalog_providers``: list the entity providers, or run one now.

``catalog_providers`` prints each configured provider with its schedule and last run;
``catalog_providers refresh ID`` queues a run, and with ``--wait`` waits for it and prints what it
added, changed and removed, exiting non-zero with the error when it failed. A run is handed to the
Celery worker when one is configured (a Redis broker); on the embedded default (the file-system
broker, or eager tasks) it runs in this process.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from catalog.config import configured_providers
from catalog.models import ProviderState
from catalog.services.providers import ProviderBusy, ProviderRunReport, run_provider, sync_provider_states
from portal.jobs import send_job_now

POLL_SECONDS = 0.5


def uses_worker() -> bool:
    """Whether runs go to a separate Celery worker rather than this process."""
    return not settings.CELERY_TASK_ALWAYS_EAGER and not settings.CELERY_BROKER_URL.startswith("filesystem:")


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:g}s"


class Command(BaseCommand):
    help = "List the configured entity providers (catalog.providers), or run one: refresh ID [--wait]."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action")
        refresh = sub.add_parser("refresh", help="run one provider now")
        refresh.add_argument("provider_id", help="the provider's id, such as ldapOrg:corp")
        refresh.add_argument("--wait", action="store_true", help="wait for the run and print its outcome")

    def handle(self, *args, action: str | None = None, **options):
        configured = configured_providers()
        for problem in configured.problems:
            self.stderr.write(f"warning: {problem}")
        if action == "refresh":
            self._refresh(configured, options["provider_id"], wait=options["wait"])
            return
        states = {state.provider_id: state for state in sync_provider_states(configured.providers)}
        if not configured.providers:
            self.stdout.write("no entity providers are configured (catalog.providers)")
        for provider in configured.providers:
            state = states[provider.provider_id]
            schedule = provider.schedule
            every = f"every {_seconds(schedule.frequency_seconds)}, timeout {_seconds(schedule.timeout_seconds)}"
            last = state.last_finished_at.isoformat(timespec="seconds") if state.last_finished_at else "never"
            self.stdout.write(
                f"{provider.provider_id}  type={state.provider_type}  schedule={every if schedule else 'manual'}  "
                f"last run={last}  duration={_seconds(state.duration_seconds)}  entities={state.entity_count}  "
                f"added={state.added} changed={state.changed} removed={state.removed}  status={state.status}"
            )
            if state.last_error:
                self.stdout.write(f"  error: {state.last_error} ({state.consecutive_failures} failed in a row)")

    def _refresh(self, configured, provider_id: str, *, wait: bool) -> None:
        provider = configured.by_id(provider_id)
        if provider is None:
            known = ", ".join(p.provider_id for p in configured.providers) or "none"
            raise CommandError(f"no entity provider {provider_id!r} is configured (configured: {known})")
        if not uses_worker():
            try:
                report = run_provider(provider)
            except ProviderBusy as busy:
                raise CommandError(str(busy)) from None
            self._print(report)
            return
        asked = timezone.now()
        if not send_job_now("catalog.run_provider", provider_id):
            raise CommandError("the job queue is unreachable; the run was not queued")
        if not wait:
            self.stdout.write(f"queued {provider_id}")
            return
        self._wait_for(provider, asked)

    def _wait_for(self, provider, asked) -> None:
        limit = (provider.schedule.timeout_seconds if provider.schedule else 900.0) + 60
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            state = ProviderState.objects.filter(provider_id=provider.provider_id).first()
            if state is not None and state.last_finished_at and state.last_finished_at >= asked:
                if state.last_error:
                    raise CommandError(f"{provider.provider_id} failed: {state.last_error}")
                # The worker's counts; the refs themselves are in the entities' history.
                self.stdout.write(
                    f"{provider.provider_id}: {state.added} added, {state.changed} changed, {state.removed} removed, "
                    f"{state.entity_count} entities in {state.duration_seconds or 0:.2f}s"
                )
                return
            time.sleep(POLL_SECONDS)
        raise CommandError(f"{provider.provider_id} did not finish within {limit:g} seconds")

    def _print(self, report: ProviderRunReport) -> None:
        if not report.ok:
            raise CommandError(f"{report.provider_id} failed: {report.error}")
        self.stdout.write(
            f"{report.provider_id}: {len(report.added)} added, {len(report.changed)} changed, "
            f"{len(report.removed)} removed, {report.entity_count} entities in {report.duration_seconds:.2f}s"
        )
        for label, refs in (("added", report.added), ("changed", report.changed), ("removed", report.removed)):
            for ref in refs:
                self.stdout.write(f"  {label:<9} {ref}")
        for error in report.refused:
            self.stderr.write(f"  refused   {error}")

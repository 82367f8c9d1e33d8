"""The state of each configured entity provider: its last run, what it changed, and its last error."""

from __future__ import annotations

from django.db import models

from .locations import Location


class ProviderState(models.Model):
    """One configured entity provider (``catalog.providers``) and the outcome of its runs.

    The provider's entities belong to ``location`` (type ``provider``, target the provider id), so
    every reader of a location's entities sees them. A failed run leaves the entities as they were
    and records only ``last_error`` and ``consecutive_failures`` here.
    """

    provider_id = models.CharField(max_length=200, unique=True)
    provider_type = models.CharField(max_length=64)
    location = models.OneToOneField(Location, on_delete=models.CASCADE, related_name="provider_state")
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_succeeded_at = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)
    added = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    removed = models.PositiveIntegerField(default=0)
    # Entities the provider owned after its last successful run.
    entity_count = models.PositiveIntegerField(default=0)
    # Entities of the last successful run that were refused (their errors are on the location).
    refused = models.PositiveIntegerField(default=0)
    # Why the last run failed (never a credential; ProviderError's text); empty after a success.
    last_error = models.TextField(blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    # Set while a run is going, so two workers never run one provider at once.
    claimed_at = models.DateTimeField(null=True, blank=True)
    # A run asked for now ("refresh now"): the scheduler runs it at its next tick.
    run_requested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["provider_id"]

    def __str__(self) -> str:
        return self.provider_id

    @property
    def status(self) -> str:
        """``never run``, ``ok`` or ``failing``, for the page and the admin."""
        if self.last_finished_at is None:
            return "never run"
        return "failing" if self.last_error else "ok"

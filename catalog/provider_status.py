"""Entity providers' last runs, read from their state rows: for ``/readyz`` and ``/metrics``.

One query whatever the number of providers. The readiness summary leaves out the error text (it
may name a directory's host, and ``/readyz`` answers anyone); staff read it on the providers page.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from prometheus_client.core import GaugeMetricFamily

from .models import ProviderState


def readiness_summary() -> dict[str, Any]:
    """Each provider's status, last run, counts and failures in a row; never changes readiness."""
    providers = {}
    for state in ProviderState.objects.order_by("provider_id"):
        providers[state.provider_id] = {
            "status": state.status,
            "lastRunAt": state.last_finished_at.isoformat() if state.last_finished_at else None,
            "lastSuccessAt": state.last_succeeded_at.isoformat() if state.last_succeeded_at else None,
            "durationSeconds": round(state.duration_seconds, 3) if state.duration_seconds is not None else None,
            "entities": state.entity_count,
            "added": state.added,
            "changed": state.changed,
            "removed": state.removed,
            "consecutiveFailures": state.consecutive_failures,
        }
    return {"providers": providers}


def provider_metrics() -> Iterator[GaugeMetricFamily]:
    """Gauges per provider: entities, last run's duration and changes, failures, last success time."""
    labels = ["provider"]
    entities = GaugeMetricFamily(
        "greenroom_catalog_provider_entities", "Entities an entity provider owned after its last run.", labels=labels
    )
    duration = GaugeMetricFamily(
        "greenroom_catalog_provider_last_run_seconds", "How long an entity provider's last run took.", labels=labels
    )
    failures = GaugeMetricFamily(
        "greenroom_catalog_provider_consecutive_failures",
        "Runs in a row that failed (0 after a success).",
        labels=labels,
    )
    success = GaugeMetricFamily(
        "greenroom_catalog_provider_last_success_timestamp_seconds",
        "Unix time of an entity provider's last successful run (0: none yet).",
        labels=labels,
    )
    changes = GaugeMetricFamily(
        "greenroom_catalog_provider_last_run_changes",
        "Entities the last successful run added, changed or removed.",
        labels=["provider", "change"],
    )
    for state in ProviderState.objects.order_by("provider_id"):
        key = [state.provider_id]
        entities.add_metric(key, state.entity_count)
        duration.add_metric(key, state.duration_seconds or 0.0)
        failures.add_metric(key, state.consecutive_failures)
        success.add_metric(key, state.last_succeeded_at.timestamp() if state.last_succeeded_at else 0.0)
        for change in ("added", "changed", "removed"):
            changes.add_metric([state.provider_id, change], getattr(state, change))
    yield from (entities, duration, failures, success, changes)

"""State read from the database at scrape time: catalog sizes, refresh lag, errors, job states.

Read at scrape time rather than counted in the process that made the change, so every web process
reports the same truth whichever worker wrote it. A handful of aggregate queries, whatever the size.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.apps import apps
from django.conf import settings
from django.db.models import Count, Min, Q
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from .models import Entity, Location
from .provider_status import provider_metrics


class CatalogCollector(Collector):
    """Gauges describing the catalog and the background jobs' tables."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield from self.entity_metrics()
        yield from self.location_metrics()
        yield from provider_metrics()
        yield from self.job_metrics("techdocs", "DocBuild", "greenroom_techdocs_builds", "TechDocs builds")
        yield from self.job_metrics("scaffolder", "Task", "greenroom_scaffolder_tasks", "Scaffolder runs")

    def entity_metrics(self) -> Iterator[GaugeMetricFamily]:
        entities = GaugeMetricFamily("greenroom_catalog_entities", "Entities in the catalog, by kind.", labels=["kind"])
        orphans = GaugeMetricFamily(
            "greenroom_catalog_orphan_entities", "Entities no location emits any more, by kind.", labels=["kind"]
        )
        rows = (
            Entity.objects.order_by().values("kind").annotate(total=Count("pk"), orphans=Count("pk", Q(is_orphan=True)))
        )
        for row in rows:
            entities.add_metric([row["kind"]], row["total"])
            orphans.add_metric([row["kind"]], row["orphans"])
        yield entities
        yield orphans

    def location_metrics(self) -> Iterator[GaugeMetricFamily]:
        now = timezone.now()
        interval = settings.CATALOG["REFRESH_INTERVAL"]
        statuses = Location.Status.values
        row = Location.objects.aggregate(
            oldest=Min("last_refreshed_at"),
            overdue=Count("pk", Q(last_refreshed_at__lt=now - timezone.timedelta(seconds=2 * interval))),
            never=Count("pk", Q(last_refreshed_at=None)),
            **{status: Count("pk", Q(status=status)) for status in statuses},
        )
        locations = GaugeMetricFamily(
            "greenroom_catalog_locations",
            "Registered locations, by the outcome of their last refresh (error means processing errors).",
            labels=["status"],
        )
        for status in statuses:
            locations.add_metric([status], row[status])
        yield locations
        lag = (now - row["oldest"]).total_seconds() if row["oldest"] else 0.0
        yield GaugeMetricFamily(
            "greenroom_catalog_refresh_lag_seconds",
            "Age of the least recently refreshed location's last refresh.",
            value=lag,
        )
        yield GaugeMetricFamily(
            "greenroom_catalog_locations_overdue",
            "Locations not refreshed for more than twice CATALOG_REFRESH_INTERVAL.",
            value=row["overdue"],
        )
        yield GaugeMetricFamily(
            "greenroom_catalog_locations_never_refreshed",
            "Locations waiting for their first refresh.",
            value=row["never"],
        )

    def job_metrics(self, app_label: str, model_name: str, name: str, what: str) -> Iterator[GaugeMetricFamily]:
        if not apps.is_installed(app_label):
            return
        model = apps.get_model(app_label, model_name)
        family = GaugeMetricFamily(name, f"{what} recorded, by status.", labels=["status"])
        counts = dict(model.objects.order_by().values_list("status").annotate(total=Count("pk")))
        for status in model.Status.values:
            family.add_metric([status], counts.get(status, 0))
        yield family

"""TechDocs' own signal, and its reaction to catalog refreshes.

``site_built`` is sent after every successful build or upload, once the new site is online, with
``entity_ref`` and ``documents``: one dict per entry of the site's search index (a page, or a
section of a page), ``{"title", "location", "text", "headings"}``. ``location`` is the portal URL
of the page, with ``#anchor`` for a section; ``headings`` lists the section titles of a page (for a
section, its own title). A search index listens to it; TechDocs does not know who does.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import Signal, receiver

from catalog.signals import location_refreshed
from portal.jobs import send_job

site_built = Signal()
CHECK_BATCH = 500


@receiver(location_refreshed, dispatch_uid="techdocs-check-after-refresh")
def check_docs_after_refresh(sender: Any, location: Any, report: Any, **kwargs: Any) -> None:
    """A refresh may bring a new commit: queue a check of every documented entity it provides."""
    from .services import documented_entities

    refs = list(documented_entities().filter(location=location).values_list("ref", flat=True))
    # One message per batch: publishing one per entity took most of an unchanged refresh of a
    # large location. A check lost to a broker outage is made again by techdocs.check_sources.
    for start in range(0, len(refs), CHECK_BATCH):
        send_job("techdocs.check_entities", refs[start : start + CHECK_BATCH])

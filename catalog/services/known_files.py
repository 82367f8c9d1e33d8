"""What the last refresh stored per file of a location, so a refresh can skip unchanged files."""

from __future__ import annotations

from django.contrib.postgres.aggregates import ArrayAgg
from django.db import connection
from django.db.models import Count, Min

from ..models import Entity, Location
from .processing import KnownFile


def known_files(location: Location) -> dict[str, KnownFile]:
    """What the last refresh stored per file, so unchanged files can be skipped.

    A file is skipped only when every entity it gave has the same digest, and it had no errors
    last time (its refused documents must be reported again).
    """
    errored = {error.get("location_key") for error in location.errors}
    # The generated Location entity shares the registered file's key but is not read from it.
    stored = Entity.objects.filter(location=location, is_orphan=False).exclude(ref=location.entity_ref)
    if connection.vendor == "postgresql":
        # Grouped by PostgreSQL: one row per file, its refs as one array (at 250,000 entities in one
        # file, 0.4 s instead of 1.5 s of Python per row).
        grouped = (
            stored.order_by()
            .values("location_key")
            .annotate(digests=Count("source_digest", distinct=True), digest=Min("source_digest"), refs=ArrayAgg("ref"))
            .values_list("location_key", "digests", "digest", "refs")
        )
        return {
            location_key: KnownFile(digest if count == 1 and digest and location_key not in errored else None, refs)
            for location_key, count, digest, refs in grouped
        }
    files: dict[str, KnownFile] = {}
    rows = stored.values_list("location_key", "source_digest", "ref")
    for location_key, digest, ref in rows.iterator(chunk_size=5000):
        known = files.get(location_key)
        if known is None:
            known = files[location_key] = KnownFile(digest or None)
        if known.digest != digest or location_key in errored:
            known.digest = None
        known.refs.append(ref)
    return files

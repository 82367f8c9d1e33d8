"""Named reads of the radar."""

from __future__ import annotations

from datetime import datetime

from django.db import models


class RadarEntryQuerySet(models.QuerySet):
    def for_display(self) -> RadarEntryQuerySet:
        """Entries with their quadrant and ring, in the file's order."""
        return self.select_related("quadrant", "ring", "radar")

    def in_hold(self) -> RadarEntryQuerySet:
        from .models.radars import HOLD_RING

        return self.filter(ring__key=HOLD_RING)


class TimelineItemQuerySet(models.QuerySet):
    def between(self, start: datetime, end: datetime) -> TimelineItemQuerySet:
        """Ring decisions dated in ``[start, end)``, newest first, with what a list shows of them."""
        return (
            self.filter(date__gte=start, date__lt=end)
            .select_related("entry", "entry__quadrant", "ring", "from_ring")
            .order_by("-date", "entry__title")
        )

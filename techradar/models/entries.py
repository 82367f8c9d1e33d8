from django.db import models
from django.urls import reverse

from ..querysets import RadarEntryQuerySet, TimelineItemQuerySet
from .radars import Quadrant, Radar, Ring


class RadarEntry(models.Model):
    """A technology on the radar. ``ring`` mirrors the newest timeline item, kept as a column for filters."""

    radar = models.ForeignKey(Radar, on_delete=models.CASCADE, related_name="entries")
    key = models.SlugField(max_length=200, help_text="Shown as the entry's id; also the tag that links components.")
    # Backstage's separate ``id`` field; usually equal to the key.
    entry_id = models.CharField(max_length=200)
    title = models.CharField(max_length=200)
    quadrant = models.ForeignKey(Quadrant, on_delete=models.PROTECT, related_name="entries")
    ring = models.ForeignKey(Ring, on_delete=models.PROTECT, related_name="entries")
    description = models.TextField(blank=True, help_text="Markdown.")
    # [{"url": ..., "title": ...}], in the file's order.
    links = models.JSONField(default=list, blank=True)
    url = models.CharField(max_length=1000, blank=True, help_text="Deprecated in Backstage; kept for round trips.")
    # The order entries had in the imported file, so an export gives them back in that order.
    position = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RadarEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "radar entry"
        verbose_name_plural = "radar entries"
        ordering = ["radar", "position", "key"]
        constraints = [models.UniqueConstraint(fields=["radar", "key"], name="techradar_entry_key")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("techradar:entry_detail", args=[self.radar.slug, self.key])


class TimelineItem(models.Model):
    """One ring decision: the entry went ``from_ring`` -> ``ring`` on ``date``, for ``description``.

    ``moved`` is Backstage's value (1 moved in, -1 moved out, 0 unchanged) as the file gave it; None
    when the file left it out, in which case ``trend`` derives it from the rings. ``sequence`` orders
    the timeline: the highest is the newest and decides the entry's ring.
    """

    entry = models.ForeignKey(RadarEntry, on_delete=models.CASCADE, related_name="timeline")
    sequence = models.PositiveIntegerField(default=0)
    date = models.DateTimeField()
    ring = models.ForeignKey(Ring, on_delete=models.PROTECT, related_name="+")
    from_ring = models.ForeignKey(Ring, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    description = models.TextField(blank=True)
    moved = models.SmallIntegerField(
        null=True, blank=True, choices=[(1, "moved in"), (0, "unchanged"), (-1, "moved out")]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TimelineItemQuerySet.as_manager()

    class Meta:
        ordering = ["entry", "-sequence"]
        constraints = [models.UniqueConstraint(fields=["entry", "sequence"], name="techradar_timeline_sequence")]
        indexes = [models.Index(fields=["date"], name="techradar_timeline_date")]

    def __str__(self) -> str:
        return f"{self.entry} -> {self.ring} ({self.date:%Y-%m-%d})"

    @property
    def trend(self) -> int:
        """1 moved in (towards Adopt), -1 moved out, 0 otherwise: the stored value or the rings'."""
        if self.moved is not None:
            return self.moved
        if self.from_ring is None or self.from_ring_id == self.ring_id:
            return 0
        return 1 if self.ring.position < self.from_ring.position else -1

from django.db import models
from django.urls import reverse

# Backstage's default rings, from the centre outwards, with the sample radar's colours.
DEFAULT_RINGS = (
    ("adopt", "Adopt", "#5BA300"),
    ("trial", "Trial", "#009EB0"),
    ("assess", "Assess", "#C7BA00"),
    ("hold", "Hold", "#E09B96"),
)
DEFAULT_QUADRANTS = (
    ("infrastructure", "Infrastructure"),
    ("frameworks", "Frameworks"),
    ("languages", "Languages"),
    ("process", "Process"),
)
HOLD_RING = "hold"


class Radar(models.Model):
    """One radar: its quadrants, rings and entries; ``source`` names the file it is synced from, if any."""

    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # "file:/abs/path" or "url:<git target>": the radar is replaced by that file's content on each sync.
    source = models.CharField(max_length=1000, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)
    sync_error = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("techradar:radar_detail", args=[self.slug])


class Quadrant(models.Model):
    """A quarter of the radar; ``position`` 0 is drawn bottom right, then clockwise, as Backstage draws them."""

    radar = models.ForeignKey(Radar, on_delete=models.CASCADE, related_name="quadrants")
    key = models.SlugField(max_length=100, help_text="The id entries name in their quadrant field.")
    name = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["radar", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["radar", "key"], name="techradar_quadrant_key")]

    def __str__(self) -> str:
        return self.name


class Ring(models.Model):
    """A ring; ``position`` 0 is the centre (Adopt by default)."""

    radar = models.ForeignKey(Radar, on_delete=models.CASCADE, related_name="rings")
    key = models.SlugField(max_length=100, help_text="The id timeline items name in their ringId field.")
    name = models.CharField(max_length=100)
    color = models.CharField(max_length=64, help_text="A CSS colour: #rgb, #rrggbb, rgb(), hsl() or a name.")
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["radar", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["radar", "key"], name="techradar_ring_key")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_hold(self) -> bool:
        return self.key == HOLD_RING

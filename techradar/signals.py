"""Any change to a radar, from any writer (services, admin, imports), invalidates the cached Hold index."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .hold import bump_radar_version
from .models import Quadrant, Radar, RadarEntry, Ring, TimelineItem


@receiver([post_save, post_delete], sender=Radar)
@receiver([post_save, post_delete], sender=Quadrant)
@receiver([post_save, post_delete], sender=Ring)
@receiver([post_save, post_delete], sender=RadarEntry)
@receiver([post_save, post_delete], sender=TimelineItem)
def radar_changed(sender, **kwargs) -> None:
    bump_radar_version()

"""The Tech Radar's data: radars with their quadrants and rings, entries and each entry's timeline."""

from .entries import RadarEntry, TimelineItem
from .radars import Quadrant, Radar, Ring

__all__ = ["Quadrant", "Radar", "RadarEntry", "Ring", "TimelineItem"]

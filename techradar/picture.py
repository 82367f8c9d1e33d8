"""The radar page's picture: the layout turned into what the SVG template and the legend draw."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .layout import RADIUS, BlipSpec, KeepOut, layout, ring_radii
from .models import Quadrant, Radar, RadarEntry, Ring, TimelineItem

MARGIN = 40.0
# Ring names are drawn on the upper vertical axis in capitals at 13px: about this wide per character.
LABEL_CHARACTER_WIDTH = 9.5
LABEL_HEIGHT = 16.0
# Circles are a little smaller than the space a blip has, so they look as heavy as the triangles.
CIRCLE_SHARE = 0.82
TREND_LABELS = {1: "moved in", -1: "moved out", 0: ""}
_HEX = re.compile(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


@dataclass
class PlacedEntry:
    """An entry as drawn: number, position, shape and the words a screen reader hears."""

    entry: RadarEntry
    number: int
    x: float
    y: float
    trend: int
    shape: str  # "circle", "up" (moved in) or "down" (moved out)
    quadrant_index: int
    ring_index: int
    text_color: str
    points: str = ""  # the triangle's points, relative to (x, y)

    @property
    def label(self) -> str:
        moved = TREND_LABELS[self.trend]
        return f"{self.number}. {self.entry.title}: {self.entry.ring.name}, {self.entry.quadrant.name}" + (
            f" ({moved})" if moved else ""
        )


@dataclass
class LegendRing:
    ring: Ring
    entries: list[PlacedEntry] = field(default_factory=list)


@dataclass
class LegendQuadrant:
    quadrant: Quadrant
    index: int
    rings: list[LegendRing]
    label_x: float = 0.0
    label_y: float = 0.0
    anchor: str = "start"


@dataclass
class RingBand:
    ring: Ring
    inner: float
    outer: float
    text_color: str
    label_y: float


@dataclass
class RadarPicture:
    radar: Radar
    view_box: str
    radius: float
    blip_radius: float  # how far any blip reaches from its centre (the triangles' corners)
    circle_radius: float
    font_size: float
    bands: list[RingBand]
    blips: list[PlacedEntry]
    legend: list[LegendQuadrant]

    @property
    def is_empty(self) -> bool:
        return not self.blips


def text_color_for(color: str) -> str:
    """Dark or light text on a blip of ``color``, by relative luminance (dark when the colour is unknown)."""
    match = _HEX.fullmatch(color.strip())
    if not match:
        return "#111111"
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(char * 2 for char in digits)
    red, green, blue = (int(digits[index : index + 2], 16) / 255 for index in (0, 2, 4))

    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
    return "#111111" if luminance > 0.22 else "#ffffff"


def latest_trends(entries: list[RadarEntry]) -> dict[int, int]:
    """Each entry's trend from its newest timeline item, in one query."""
    trends: dict[int, int] = {}
    rows = (
        TimelineItem.objects.filter(entry__in=[entry.pk for entry in entries])
        .select_related("ring", "from_ring")
        .order_by("entry_id", "-sequence")
    )
    for row in rows:
        trends.setdefault(row.entry_id, row.trend)
    return trends


def _label_box(name: str, inner: float, outer: float) -> KeepOut:
    """Where a ring's name sits: centred on the upper vertical axis, halfway across the ring."""
    half_width = len(name) * LABEL_CHARACTER_WIDTH / 2 + 4
    middle = -(inner + outer) / 2
    return (-half_width, middle - LABEL_HEIGHT / 2, half_width, middle + LABEL_HEIGHT / 2)


def _triangle(radius: float, pointing_up: bool) -> str:
    """The moved-in (up) or moved-out (down) marker: a small triangle just above or below the blip's
    circle, so the number keeps the circle's full size and stays readable."""
    sign = -1 if pointing_up else 1
    apex, base, half_width = 1.55 * radius, 0.95 * radius, 0.42 * radius
    corners = [(0.0, sign * apex), (half_width, sign * base), (-half_width, sign * base)]
    return " ".join(f"{x:.2f},{y:.2f}" for x, y in corners)


def build_picture(
    radar: Radar,
    *,
    quadrant_key: str = "",
    ring_key: str = "",
    quadrants: list[Quadrant] | None = None,
    rings: list[Ring] | None = None,
) -> RadarPicture:
    """Lay out every entry (so positions never depend on filters), then keep those the filters select.

    ``quadrants`` and ``rings`` may be passed when the caller has read them already.
    """
    quadrants = list(radar.quadrants.all()) if quadrants is None else quadrants
    rings = list(radar.rings.all()) if rings is None else rings
    entries = list(RadarEntry.objects.filter(radar=radar).for_display())
    trends = latest_trends(entries)
    quadrant_index = {quadrant.pk: index for index, quadrant in enumerate(quadrants)}
    ring_index = {ring.pk: index for index, ring in enumerate(rings)}
    by_key = {entry.key: entry for entry in entries}
    radii = ring_radii(max(len(rings), 1))
    placed = layout(
        [
            BlipSpec(entry.key, quadrant_index[entry.quadrant_id], ring_index[entry.ring_id], (entry.title.lower(),))
            for entry in entries
        ],
        max(len(rings), 1),
        keep_out=tuple(_label_box(ring.name, radii[index], radii[index + 1]) for index, ring in enumerate(rings)),
    )
    size = placed.blip_radius
    text_colors = {ring.pk: text_color_for(ring.color) for ring in rings}
    blips = []
    for blip in placed.blips:
        entry = by_key[blip.key]
        trend = trends.get(entry.pk, 0)
        shape = {1: "up", -1: "down"}.get(trend, "circle")
        points = _triangle(size, trend == 1) if trend else ""
        text = text_colors[entry.ring_id]
        blips.append(
            PlacedEntry(entry, blip.number, blip.x, blip.y, trend, shape, blip.quadrant, blip.ring, text, points)
        )
    legend = _legend(quadrants, rings, blips)
    shown = [
        blip
        for blip in blips
        if (not quadrant_key or blip.entry.quadrant.key == quadrant_key)
        and (not ring_key or blip.entry.ring.key == ring_key)
    ]
    bands = [
        RingBand(
            ring,
            placed.ring_radii[index],
            placed.ring_radii[index + 1],
            text_color_for(ring.color),
            -(placed.ring_radii[index] + placed.ring_radii[index + 1]) / 2,
        )
        for index, ring in enumerate(rings)
    ]
    extent = RADIUS + MARGIN
    return RadarPicture(
        radar=radar,
        view_box=f"{-extent:g} {-extent:g} {2 * extent:g} {2 * extent:g}",
        radius=RADIUS,
        blip_radius=size,
        circle_radius=round(size * CIRCLE_SHARE, 2),
        font_size=round(size * CIRCLE_SHARE * 0.95, 2),
        bands=bands,
        blips=shown,
        legend=_filter_legend(legend, quadrant_key, ring_key),
    )


# Where each quadrant's name goes: its outer corner of the picture.
_CORNERS = [(1, 1, "end"), (-1, 1, "start"), (-1, -1, "start"), (1, -1, "end")]


def _legend(quadrants: list[Quadrant], rings: list[Ring], blips: list[PlacedEntry]) -> list[LegendQuadrant]:
    legend = []
    edge = RADIUS + MARGIN - 6
    for index, quadrant in enumerate(quadrants):
        groups = {ring.pk: LegendRing(ring) for ring in rings}
        for blip in blips:
            if blip.entry.quadrant_id == quadrant.pk:
                groups[blip.entry.ring_id].entries.append(blip)
        sign_x, sign_y, anchor = _CORNERS[index % 4]
        legend.append(
            LegendQuadrant(
                quadrant, index, list(groups.values()), sign_x * edge, sign_y * edge + (14 if sign_y < 0 else 0), anchor
            )
        )
    return legend


def _filter_legend(legend: list[LegendQuadrant], quadrant_key: str, ring_key: str) -> list[LegendQuadrant]:
    if not quadrant_key and not ring_key:
        return legend
    kept = []
    for item in legend:
        if quadrant_key and item.quadrant.key != quadrant_key:
            continue
        rings = [group for group in item.rings if not ring_key or group.ring.key == ring_key]
        kept.append(LegendQuadrant(item.quadrant, item.index, rings, item.label_x, item.label_y, item.anchor))
    return kept

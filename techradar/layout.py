"""Where each blip goes: a deterministic, overlap-free placement of entries in their ring segments.

No Django here. The radar is a circle of ``RADIUS`` centred on (0, 0) in SVG coordinates (y grows
downwards). Quadrant 0 is the bottom right, then clockwise (bottom left, top left, top right), as
Backstage draws them. Ring ``i`` spans ``ring_radii[i]`` to ``ring_radii[i + 1]``; ring radii grow
between equal widths and equal areas, so outer rings are not thin.

Each segment (one quadrant x one ring) is filled with rows of slots: arcs spaced one blip diameter
plus a gap apart, each arc cut into slots the same distance apart (measured as a chord), kept off
the quadrant's edges. The segment's entries, in a stable order, take slots spread evenly over
that list. When some segment has more entries than slots, every blip shrinks a little and the
radar is laid out again, so one crowded segment never makes blips overlap. No randomness: the same
data always gives the same picture.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

RADIUS = 400.0
BLIP_RADIUS = 16.0
MIN_BLIP_RADIUS = 4.0
GAP = 3.0
# 1 gives rings of equal width, 0.5 rings of equal area (thin outer rings); 0.7 reads well for 3 to 6 rings.
RING_EXPONENT = 0.7


@dataclass(frozen=True)
class BlipSpec:
    """What the layout needs to know of an entry: its segment and a stable sort key."""

    key: str
    quadrant: int
    ring: int
    sort_key: tuple


@dataclass(frozen=True)
class Blip:
    key: str
    quadrant: int
    ring: int
    number: int
    x: float
    y: float


@dataclass(frozen=True)
class Layout:
    ring_radii: tuple[float, ...]  # n + 1 values: 0 .. RADIUS
    blip_radius: float
    blips: tuple[Blip, ...]


def ring_radii(ring_count: int, radius: float = RADIUS) -> tuple[float, ...]:
    """Boundaries from the centre out: between equal widths and equal areas, so the inner ring is not tiny."""
    return tuple(radius * (index / ring_count) ** RING_EXPONENT for index in range(ring_count + 1))


def quadrant_angles(quadrant: int) -> tuple[float, float]:
    """Start and end angle in radians (screen coordinates: clockwise from +x)."""
    return quadrant * math.pi / 2, (quadrant + 1) * math.pi / 2


# A box no blip may touch: (left, top, right, bottom), e.g. a ring's name on the axis.
KeepOut = tuple[float, float, float, float]


def _touches(x: float, y: float, blip: float, box: KeepOut) -> bool:
    left, top, right, bottom = box
    nearest_x, nearest_y = min(max(x, left), right), min(max(y, top), bottom)
    return math.hypot(x - nearest_x, y - nearest_y) < blip + GAP


def segment_slots(
    quadrant: int, inner: float, outer: float, blip: float, keep_out: tuple[KeepOut, ...] = ()
) -> list[tuple[float, float]]:
    """Every slot of one segment, row by row from the inside; each slot is a blip centre."""
    step = 2 * blip + GAP
    start, end = quadrant_angles(quadrant)
    slots: list[tuple[float, float]] = []
    row = max(inner + blip + GAP / 2, blip * 1.5 + GAP)
    while row + blip + GAP / 2 <= outer:
        margin = math.asin(min(1.0, (blip + GAP) / row))
        span = (end - start) - 2 * margin
        if span >= 0:
            angular_step = 2 * math.asin(min(1.0, step / (2 * row)))
            count = int(span / angular_step) + 1
            # Centre the row's slots in the arc so rows look balanced.
            offset = start + margin + (span - (count - 1) * angular_step) / 2
            for index in range(count):
                x, y = row * math.cos(offset + index * angular_step), row * math.sin(offset + index * angular_step)
                if not any(_touches(x, y, blip, box) for box in keep_out):
                    slots.append((x, y))
        row += step
    return slots


def layout(
    specs: Sequence[BlipSpec], ring_count: int, radius: float = RADIUS, keep_out: tuple[KeepOut, ...] = ()
) -> Layout:
    """Place every entry; numbers run by quadrant, then ring, then sort key, from 1.

    ``keep_out`` lists boxes (such as ring labels) that blips must not touch.
    """
    radii = ring_radii(ring_count, radius)
    ordered = sorted(specs, key=lambda spec: (spec.quadrant, spec.ring, spec.sort_key, spec.key))
    segments: dict[tuple[int, int], list[BlipSpec]] = {}
    for spec in ordered:
        segments.setdefault((spec.quadrant, spec.ring), []).append(spec)
    blip = BLIP_RADIUS
    while True:
        placed = _place(segments, radii, blip, keep_out)
        if placed is not None or blip <= MIN_BLIP_RADIUS:
            break
        blip = max(MIN_BLIP_RADIUS, blip * 0.9)
    if placed is None:
        raise ValueError("too many entries in one ring segment to draw without overlap")
    numbers = {spec.key: index + 1 for index, spec in enumerate(ordered)}
    blips = tuple(
        Blip(spec.key, spec.quadrant, spec.ring, numbers[spec.key], round(x, 2), round(y, 2))
        for spec, (x, y) in sorted(placed, key=lambda pair: numbers[pair[0].key])
    )
    return Layout(ring_radii=radii, blip_radius=round(blip, 2), blips=blips)


def _place(
    segments: dict[tuple[int, int], list[BlipSpec]],
    radii: tuple[float, ...],
    blip: float,
    keep_out: tuple[KeepOut, ...],
) -> list[tuple[BlipSpec, tuple[float, float]]] | None:
    placed = []
    for (quadrant, ring), members in segments.items():
        slots = segment_slots(quadrant, radii[ring], radii[ring + 1], blip, keep_out)
        if len(slots) < len(members):
            return None
        # Spread the members over the slots (not packed into the first rows).
        for index, spec in enumerate(members):
            placed.append((spec, slots[int((index + 0.5) * len(slots) / len(members))]))
    return placed

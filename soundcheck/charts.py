"""Soundcheck's charts as SVG drawn on the server: trends, stacked bars per level, campaign burn-ups.

No JavaScript: each chart is one ``<svg role="img">`` with a ``<title>`` and an ``aria-label`` that
say what it shows, axis labels, and a ``<title>`` on every mark for a hover tip. Colours come from
classes (``sc-level-N``) styled in the portal's stylesheet. Output is deterministic (coordinates
rounded to one decimal), so tests read points back.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
HEIGHT = 240
MARGIN_LEFT = 44
MARGIN_RIGHT = 16
MARGIN_TOP = 16
MARGIN_BOTTOM = 48  # x labels and the legend


def _number(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _day_label(day: datetime.date) -> str:
    return f"{day:%b} {day.day}"


def _ceiling(value: int) -> int:
    """A round top for the y axis: the next multiple of 2, 5 or 10 (times a power of ten)."""
    if value <= 0:
        return 1
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


@dataclass(frozen=True)
class Frame:
    """The plot area of a chart and its scales: x over ``count`` slots, y over 0 to ``top``."""

    count: int
    top: int
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def left(self) -> float:
        return MARGIN_LEFT

    @property
    def right(self) -> float:
        return self.width - MARGIN_RIGHT

    @property
    def base(self) -> float:
        return self.height - MARGIN_BOTTOM

    def x(self, index: float) -> float:
        if self.count <= 1:
            return self.left
        return self.left + (self.right - self.left) * index / (self.count - 1)

    def y(self, value: float) -> float:
        return self.base - (self.base - MARGIN_TOP) * value / self.top


def _open(title: str, description: str, css_class: str, frame: Frame) -> list[str]:
    label = escape(f"{title}. {description}")
    return [
        f'<svg class="sc-chart {css_class}" viewBox="0 0 {frame.width} {frame.height}" role="img" '
        f'aria-label="{label}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f"<desc>{escape(description)}</desc>",
    ]


def _y_axis(frame: Frame, label: str) -> list[str]:
    parts = ['<g class="sc-axis sc-y-axis" aria-hidden="true">']
    for value in (0, frame.top // 2 if frame.top % 2 == 0 else None, frame.top):
        if value is None:
            continue
        y = _number(frame.y(value))
        parts.append(
            f'<line class="sc-grid" x1="{_number(frame.left)}" y1="{y}" x2="{_number(frame.right)}" y2="{y}"/>'
            f'<text x="{_number(frame.left - 6)}" y="{y}" text-anchor="end" dominant-baseline="middle">{value}</text>'
        )
    middle = _number((frame.base + MARGIN_TOP) / 2)
    parts.append(
        f'<text class="sc-axis-title" x="12" y="{middle}" text-anchor="middle" '
        f'transform="rotate(-90 12 {middle})">{escape(label)}</text>'
    )
    parts.append("</g>")
    return parts


def _x_labels(frame: Frame, days: Sequence[datetime.date]) -> list[str]:
    if not days:
        return []
    picks = sorted({0, (len(days) - 1) // 2, len(days) - 1})
    parts = ['<g class="sc-axis sc-x-axis" aria-hidden="true">']
    y = _number(frame.base + 16)
    for index in picks:
        anchor = "start" if index == 0 else ("end" if index == len(days) - 1 and index else "middle")
        parts.append(
            f'<text x="{_number(frame.x(index))}" y="{y}" text-anchor="{anchor}">{_day_label(days[index])}</text>'
        )
    parts.append("</g>")
    return parts


def _legend(frame: Frame, entries: Sequence[tuple[str, str]]) -> list[str]:
    """Swatches and names on one line under the x axis: (css class, label) pairs."""
    parts = ['<g class="sc-legend">']
    x = frame.left
    y = frame.height - 10
    for css_class, label in entries:
        parts.append(
            f'<rect class="{css_class}" x="{_number(x)}" y="{y - 9}" width="10" height="10" rx="2"/>'
            f'<text x="{_number(x + 14)}" y="{y}">{escape(label)}</text>'
        )
        x += 24 + 7 * len(label)
    parts.append("</g>")
    return parts


def trend_chart(
    days: Sequence[datetime.date], series: Sequence[tuple[str, Sequence[int]]], *, title: str, y_label: str = "Entities"
) -> SafeString:
    """Areas under one line per series (levels, lowest first: they nest), one point per day."""
    top = _ceiling(max((max(values, default=0) for _, values in series), default=0))
    frame = Frame(len(days), top)
    last = ", ".join(f"{name} {values[-1]}" for name, values in series if values)
    span = f"{len(days)} day{'' if len(days) == 1 else 's'}"
    description = f"{span} from {_day_label(days[0])} to {_day_label(days[-1])}; now {last or 'none'}." if days else ""
    parts = _open(title, description if days else "No data.", "sc-trend", frame)
    parts += _y_axis(frame, y_label)
    for number, (name, values) in enumerate(series, start=1):
        if not values:
            continue
        # One day (a first evaluation today) is drawn across the plot, not as an invisible sliver.
        coordinates = [(frame.x(index), frame.y(value)) for index, value in enumerate(values)]
        if len(coordinates) == 1:
            coordinates = [(frame.left, coordinates[0][1]), (frame.right, coordinates[0][1])]
        points = " ".join(f"{_number(x)},{_number(y)}" for x, y in coordinates)
        floor = (
            f"{_number(coordinates[-1][0])},{_number(frame.base)} {_number(coordinates[0][0])},{_number(frame.base)}"
        )
        parts.append(f'<g class="sc-series sc-level-{number}">')
        parts.append(f'<polygon class="sc-area" points="{points} {floor}"><title>{escape(name)}</title></polygon>')
        parts.append(f'<polyline class="sc-line" points="{points}" fill="none"/>')
        parts.append("</g>")
    parts += _x_labels(frame, days)
    parts += _legend(frame, [(f"sc-swatch sc-level-{n}", name) for n, (name, _) in enumerate(series, start=1)])
    parts.append("</svg>")
    return mark_safe("".join(parts))


BAR_HEIGHT = 18
BAR_GAP = 8
BAR_LABEL_WIDTH = 180


def stacked_bars(rows: Sequence[tuple[str, Sequence[int]]], segment_names: Sequence[str], *, title: str) -> SafeString:
    """One horizontal bar per row, split into segments (entities at exactly each level, none first).

    Bars are scaled to 100% of each row's total, so teams of any size compare by share.
    """
    width = WIDTH
    height = MARGIN_TOP + len(rows) * (BAR_HEIGHT + BAR_GAP) + 36
    frame = Frame(2, 100, width, height)
    description = f"{len(rows)} rows; each bar is split by level, as a share of its entities."
    parts = _open(title, description, "sc-bars", frame)
    left = BAR_LABEL_WIDTH
    span = width - MARGIN_RIGHT - left
    for number, (label, segments) in enumerate(rows):
        y = MARGIN_TOP + number * (BAR_HEIGHT + BAR_GAP)
        total = sum(segments)
        short = label if len(label) <= 26 else label[:25] + "…"
        parts.append(
            f'<text class="sc-bar-label" x="{left - 8}" y="{_number(y + BAR_HEIGHT / 2)}" text-anchor="end" '
            f'dominant-baseline="middle">{escape(short)}<title>{escape(label)}</title></text>'
        )
        x = float(left)
        for index, count in enumerate(segments):
            if not count:
                continue
            share = count / total
            segment_width = span * share
            parts.append(
                f'<rect class="sc-level-{index}" x="{_number(x)}" y="{y}" width="{_number(segment_width)}" '
                f'height="{BAR_HEIGHT}"><title>{escape(label)}: {count} of {total} at {escape(segment_names[index])} '
                f"({round(100 * share)}%)</title></rect>"
            )
            x += segment_width
    legend_frame = Frame(2, 100, width, height)
    parts += _legend(legend_frame, [(f"sc-swatch sc-level-{n}", name) for n, name in enumerate(segment_names)])
    parts.append("</svg>")
    return mark_safe("".join(parts))


def burn_up(
    start: datetime.date,
    deadline: datetime.date,
    done: Sequence[int],
    total: int,
    *,
    title: str,
) -> SafeString:
    """Entities meeting a goal per day since ``start`` (``done[i]`` on day i), with the target (the total),
    an ideal line from the first day's count to the total on the deadline, and the deadline marked."""
    last_day = max(deadline, start + datetime.timedelta(days=max(len(done) - 1, 0)))
    count = (last_day - start).days + 1
    frame = Frame(count, _ceiling(max(total, max(done, default=0))))
    days = [start + datetime.timedelta(days=index) for index in range(count)]
    now = done[-1] if done else 0
    description = (
        f"{now} of {total} done after {len(done)} days; deadline {deadline:%Y-%m-%d} "
        f"({(deadline - start).days + 1} days from the start)."
    )
    parts = _open(title, description, "sc-burn-up", frame)
    parts += _y_axis(frame, "Entities")
    target_y = _number(frame.y(total))
    parts.append(
        f'<line class="sc-target" x1="{_number(frame.left)}" y1="{target_y}" x2="{_number(frame.right)}" '
        f'y2="{target_y}"><title>Target: {total}</title></line>'
    )
    deadline_x = _number(frame.x((deadline - start).days))
    parts.append(
        f'<line class="sc-deadline" x1="{deadline_x}" y1="{MARGIN_TOP}" x2="{deadline_x}" y2="{_number(frame.base)}">'
        f"<title>Deadline {deadline:%Y-%m-%d}</title></line>"
        f'<text class="sc-deadline-label" x="{deadline_x}" y="{MARGIN_TOP - 4}" text-anchor="end">Deadline</text>'
    )
    first = done[0] if done else 0
    parts.append(
        f'<line class="sc-ideal" x1="{_number(frame.x(0))}" y1="{_number(frame.y(first))}" x2="{deadline_x}" '
        f'y2="{target_y}"><title>Ideal: {first} to {total} by the deadline</title></line>'
    )
    if done:
        points = " ".join(f"{_number(frame.x(index))},{_number(frame.y(value))}" for index, value in enumerate(done))
        parts.append(f'<polyline class="sc-done" points="{points}" fill="none"><title>Done: {now}</title></polyline>')
    parts += _x_labels(frame, days)
    parts += _legend(
        frame, [("sc-swatch sc-done", "Done"), ("sc-swatch sc-ideal", "Ideal"), ("sc-swatch sc-target", "Target")]
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))

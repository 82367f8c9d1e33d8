"""The radar SVG: blips inside their segment, never overlapping, the same picture for the same data."""

from __future__ import annotations

import itertools
import math
import re

import pytest

from techradar.format import validate_radar
from techradar.services import import_radar
from tests.techradar.conftest import radar_document

pytestmark = pytest.mark.django_db

BLIP = re.compile(
    r'<a class="blip" href="(?P<href>[^"]+)" tabindex="0" aria-label="(?P<label>[^"]+)" data-quadrant="(?P<q>\d)" '
    r'data-ring="(?P<r>\d)" data-shape="(?P<shape>\w+)" transform="translate\((?P<x>[-\d.]+) (?P<y>[-\d.]+)\)">'
)
RING = re.compile(
    r'<circle class="radar-ring[^"]*" cx="0" cy="0" r="(?P<r>[\d.]+)" fill="[^"]+" data-ring="(?P<i>\d)"/>'
)
BLIP_RADIUS = re.compile(
    r'<circle class="blip-shape" r="(?P<r>[\d.]+)"|<polygon class="blip-shape" points="(?P<p>[^"]+)"'
)


def _svg(client, slug="default", query=""):
    page = client.get(f"/tech-radar/{slug}/{query}").content.decode()
    return page[page.index('<svg class="radar-svg"') : page.index("</svg>", page.index('<svg class="radar-svg"'))]


def _blips(svg: str) -> list[dict]:
    return [match.groupdict() for match in BLIP.finditer(svg)]


def _blip_radius(svg: str) -> float:
    """The largest distance from a blip's centre that any blip shape reaches."""
    sizes = set()
    for match in BLIP_RADIUS.finditer(svg):
        if match["r"]:
            sizes.add(float(match["r"]))
        else:
            sizes.add(max(math.hypot(*map(float, point.split(","))) for point in match["p"].split()))
    return max(sizes)


def _assert_no_overlap(blips: list[dict], radius: float) -> None:
    for first, second in itertools.combinations(blips, 2):
        gap = math.hypot(float(first["x"]) - float(second["x"]), float(first["y"]) - float(second["y"]))
        assert gap >= 2 * radius, (first, second)


def test_two_hundred_blips_stay_in_their_segment_and_do_not_overlap(reader):
    import_radar(validate_radar(radar_document(200)), "default")
    svg = _svg(reader)
    blips = _blips(svg)
    assert len(blips) == 200
    outer = {int(m["i"]): float(m["r"]) for m in RING.finditer(svg)}
    bounds = {ring: (outer.get(ring - 1, 0.0), outer[ring]) for ring in outer}
    radius = _blip_radius(svg)
    for blip in blips:
        x, y = float(blip["x"]), float(blip["y"])
        distance = math.hypot(x, y)
        inner, outer_edge = bounds[int(blip["r"])]
        assert inner <= distance - radius and distance + radius <= outer_edge, blip
        angle = math.degrees(math.atan2(y, x)) % 360
        start = int(blip["q"]) * 90
        assert start <= angle <= start + 90, blip
        # Clear of both axes, so no blip straddles two quadrants.
        assert abs(x) >= radius and abs(y) >= radius, blip
    _assert_no_overlap(blips, radius)


def test_a_crowded_segment_shrinks_blips_instead_of_overlapping(reader):
    document = radar_document(150)
    for entry in document["entries"]:
        entry["quadrant"], entry["timeline"][0]["ringId"] = "q1", "hold"
    import_radar(validate_radar(document), "default")
    svg = _svg(reader)
    blips = _blips(svg)
    assert len(blips) == 150
    radius = _blip_radius(svg)
    assert radius < 11
    _assert_no_overlap(blips, radius)


def test_same_data_gives_the_same_picture(reader):
    import_radar(validate_radar(radar_document(60)), "default")
    first = _svg(reader)
    import_radar(validate_radar(radar_document(60)), "default")
    assert _svg(reader) == first


def test_blips_are_numbered_focusable_links_with_a_title(reader, sample_radar):
    svg = _svg(reader)
    blips = _blips(svg)
    assert [blip["label"].split(".")[0] for blip in blips] == [str(number) for number in range(1, 10)]
    github = next(blip for blip in blips if "Forgejo Actions" in blip["label"])
    assert github["href"] == "/tech-radar/default/entries/forgejo-actions/"
    assert github["label"] == "1. Forgejo Actions: ADOPT, Platforms (moved in)" and github["shape"] == "up"
    assert "<title>1. Forgejo Actions: ADOPT, Platforms (moved in)</title>" in svg
    micropython = next(blip for blip in blips if "MicroPython" in blip["label"])
    assert micropython["shape"] == "down"


def test_filters_keep_positions_and_hide_other_blips(reader, sample_radar):
    everything = {blip["href"]: (blip["x"], blip["y"]) for blip in _blips(_svg(reader))}
    filtered = _blips(_svg(reader, query="?quadrant=practices&ring=adopt"))
    assert {blip["href"] for blip in filtered} == {
        "/tech-radar/default/entries/bench-testing/",
        "/tech-radar/default/entries/runbooks-in-repo/",
    }
    assert all(everything[blip["href"]] == (blip["x"], blip["y"]) for blip in filtered)


def test_legend_lists_each_quadrant_by_ring(reader, sample_radar):
    page = reader.get("/tech-radar/default/").content.decode()
    process = page[page.index('id="legend-practices"') :]
    process = process[: process.index("</section>")]
    assert (
        process.index("ADOPT")
        < process.index("Bench testing")
        < process.index("ASSESS")
        < process.index("Ride-along debugging")
    )
    assert process.index("HOLD") < process.index("Deploying on Friday afternoons")


def test_ring_names_and_colours_are_escaped(reader, sample_radar):
    sample_radar.rings.filter(key="adopt").update(name="<script>x</script>")
    page = reader.get("/tech-radar/default/").content.decode()
    assert "<script>x</script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page

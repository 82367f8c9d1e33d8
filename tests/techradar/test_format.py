"""Backstage's tech-radar data format: sample radars round-trip; bad files name the field."""

from __future__ import annotations

import json

import pytest

from techradar.format import RadarFormatError, parse_radar_file, radar_to_document, validate_radar
from techradar.models import RadarEntry, TimelineItem
from techradar.services import export_radar, import_radar
from tests.techradar.conftest import DEMO_RADAR, SAMPLES, radar_document


@pytest.mark.parametrize("path", SAMPLES)
def test_sample_parses_and_writes_back_unchanged(path):
    data = parse_radar_file(path.read_bytes(), "sample")
    assert radar_to_document(data) == json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.django_db
@pytest.mark.parametrize("path", SAMPLES)
def test_sample_round_trips_through_the_database_exactly(path):
    document = json.loads(path.read_text(encoding="utf-8"))
    radar = import_radar(parse_radar_file(path.read_bytes(), str(path)), "default", title="Sample radar")
    assert export_radar(radar) == document
    assert json.dumps(export_radar(radar), sort_keys=True) == json.dumps(document, sort_keys=True)


@pytest.mark.django_db
def test_import_keeps_timeline_order_and_derives_from_rings(sample_radar):
    entry = RadarEntry.objects.get(radar=sample_radar, key="forgejo-actions")
    newest, oldest = list(entry.timeline.all())
    assert (newest.ring.key, newest.from_ring.key, newest.trend) == ("adopt", "trial", 1)
    assert newest.moved is None and oldest.from_ring is None
    assert entry.ring.key == "adopt"


@pytest.mark.django_db
def test_reimport_replaces_the_radar(sample_radar):
    document = radar_document(3)
    import_radar(validate_radar(document), "default")
    assert sorted(RadarEntry.objects.values_list("key", flat=True)) == ["tech-000", "tech-001", "tech-002"]
    assert TimelineItem.objects.count() == 3


def test_yaml_is_accepted():
    data = parse_radar_file(DEMO_RADAR.read_bytes(), "demo")
    assert len(data.quadrants) == 4 and data.entries[0].key == "python"


def test_dates_without_milliseconds_are_normalised():
    document = radar_document(1)
    document["entries"][0]["timeline"][0]["date"] = "2024-03-05"
    written = radar_to_document(validate_radar(document))
    assert written["entries"][0]["timeline"][0]["date"] == "2024-03-05T00:00:00.000Z"


def _errors(document) -> list[str]:
    with pytest.raises(RadarFormatError) as caught:
        validate_radar(document, "radar.json")
    return caught.value.errors


def test_refuses_unknown_ring_naming_the_entry_and_field():
    document = radar_document(2)
    document["entries"][1]["timeline"][0]["ringId"] = "later"
    assert _errors(document) == [
        "entries[1] \"tech-001\".timeline[0].ringId: unknown ring 'later'; the rings are adopt, assess, hold, trial"
    ]


def test_refuses_unknown_quadrant_missing_title_and_bad_moved_all_at_once():
    document = radar_document(3)
    document["entries"][0]["quadrant"] = "nowhere"
    del document["entries"][1]["title"]
    document["entries"][2]["timeline"][0]["moved"] = 2
    errors = _errors(document)
    assert errors[0].startswith("entries[0] \"tech-000\".quadrant: unknown quadrant 'nowhere'")
    assert errors[1] == 'entries[1] "tech-001".title: must be a string, not null'
    assert errors[2] == 'entries[2] "tech-002".timeline[0].moved: must be -1, 0 or 1, not 2'


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.update(quadrants=[*d["quadrants"], {"id": "q4", "name": "Fifth"}]), "quadrants: must hold 1 to 4"),
        (lambda d: d["rings"][0].update(color='red" onload="x'), "rings[0].color: "),
        (lambda d: d["entries"].append(dict(d["entries"][0])), "entries[2] \"tech-000\".key: 'tech-000' is used"),
        (lambda d: d["entries"][0]["timeline"][0].update(date="yesterday"), ".timeline[0].date: 'yesterday' is not"),
        (lambda d: d["entries"][0].update(timeline=[]), ".timeline: must hold 1 to 500 items, not 0"),
        (lambda d: d["entries"][0].update(links=[{"url": "javascript:alert(1)", "title": "x"}]), ".links[0].url: "),
        (lambda d: d["entries"][0].update(key="../etc"), ".key: '../etc' may hold only"),
        (lambda d: d.pop("rings"), "rings: must be a list, not null"),
    ],
)
def test_refuses_bad_files_naming_the_field(change, expected):
    document = radar_document(2)
    change(document)
    assert any(expected in error for error in _errors(document)), _errors(document)


def test_refuses_files_that_are_not_radar_data():
    with pytest.raises(RadarFormatError, match="not valid JSON"):
        parse_radar_file(b'{"quadrants": [', "bad.json")
    with pytest.raises(RadarFormatError, match="Expected object at root"):
        parse_radar_file(b"- just\n- a list\n", "bad.yaml")
    with pytest.raises(RadarFormatError, match="!!python/object"):
        parse_radar_file(b"quadrants: !!python/object:os.system x\n", "evil.yaml")


@pytest.mark.django_db
def test_a_refused_file_changes_nothing(sample_radar):
    document = radar_document(2)
    document["entries"][0]["quadrant"] = "nowhere"
    with pytest.raises(RadarFormatError):
        import_radar(validate_radar(document), "default")
    assert RadarEntry.objects.filter(radar=sample_radar).count() == 9

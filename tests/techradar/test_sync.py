"""Radar data kept in a repository: synced by the Celery task through the catalog's readers."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from techradar.models import Radar, RadarEntry
from techradar.tasks import sync_radars
from tests.techradar.conftest import SAMPLE, radar_document

pytestmark = pytest.mark.django_db


def test_syncs_a_radar_from_a_git_repository(git_repo, settings, sample_document):
    repo = git_repo("radar")
    repo.commit({"radar/data.json": SAMPLE.read_text()})
    settings.TECH_RADAR = {
        **settings.TECH_RADAR,
        "SOURCES": [
            {"radar": "platform", "type": "url", "target": f"{repo.url}#main:radar/data.json", "title": "Platform"}
        ],
    }
    assert sync_radars.apply().get() == [{"radar": "platform", "ok": True, "errors": []}]
    radar = Radar.objects.get(slug="platform")
    assert radar.title == "Platform" and radar.synced_at is not None and radar.source.startswith("url:file://")
    assert RadarEntry.objects.filter(radar=radar).count() == 9
    repo.commit({"radar/data.json": json.dumps(radar_document(2))})
    sync_radars()
    assert RadarEntry.objects.filter(radar=radar).count() == 2


def test_a_bad_file_keeps_the_radar_and_records_the_error(write_file, settings, sample_radar):
    document = radar_document(2)
    document["entries"][0]["quadrant"] = "nowhere"
    path = write_file("radar.json", json.dumps(document))
    settings.TECH_RADAR = {
        **settings.TECH_RADAR,
        "SOURCES": [{"radar": "default", "type": "file", "target": str(path)}],
    }
    [result] = sync_radars()
    assert not result["ok"] and "entries[0] \"tech-000\".quadrant: unknown quadrant 'nowhere'" in result["errors"][0]
    radar = Radar.objects.get(slug="default")
    assert "unknown quadrant" in radar.sync_error and radar.entries.count() == 9


def test_refuses_internal_git_remotes(settings, sample_radar):
    settings.TECH_RADAR = {
        **settings.TECH_RADAR,
        "SOURCES": [{"radar": "default", "type": "url", "target": "https://127.0.0.1/org/radar.git#main:data.json"}],
    }
    [result] = sync_radars()
    assert not result["ok"] and Radar.objects.get(slug="default").entries.count() == 9


def test_import_and_export_commands(tmp_path, sample_document):
    out = StringIO()
    call_command("radar_import", str(SAMPLE), radar="sample", stdout=out)
    assert out.getvalue() == "radar sample: 9 entries, 4 rings, 4 quadrants\n"
    target = tmp_path / "out.json"
    call_command("radar_export", radar="sample", output=str(target))
    assert json.loads(target.read_text()) == sample_document


def test_import_command_refuses_a_bad_file_naming_the_field(write_file):
    document = radar_document(1)
    document["rings"][0]["color"] = "url(javascript:x)"
    errors = StringIO()
    with pytest.raises(CommandError, match="not valid tech-radar data"):
        call_command("radar_import", str(write_file("bad.json", json.dumps(document))), stderr=errors)
    assert "rings[0].color: 'url(javascript:x)' is not a colour" in errors.getvalue()
    assert not Radar.objects.exists()


def test_export_of_an_unknown_radar_says_which_exist(sample_radar):
    with pytest.raises(CommandError, match="no radar 'nope'; radars: default"):
        call_command("radar_export", radar="nope")


def test_demo_radar_loads_and_links_demo_components(reader):
    call_command("load_demo", stdout=StringIO())
    call_command("load_demo_radar", stdout=StringIO())
    page = reader.get("/tech-radar/default/entries/graphql/").content.decode()
    assert "Migration backlog" in page and "rider-bff" in page.lower()

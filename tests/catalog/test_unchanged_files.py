"""Refreshes skip files whose bytes and rules have not changed, and only those."""

from __future__ import annotations

import pytest

from catalog import config
from catalog.models import Entity
from catalog.services import processing, refresh_location, register_location, validate_location_spec
from tests.conftest import API_WITH_TEXT_PLACEHOLDER, component

pytestmark = pytest.mark.django_db

ROOT = """
apiVersion: backstage.io/v1alpha1
kind: Location
metadata:
  name: root
spec:
  targets: [./services/*.yaml]
"""


@pytest.fixture
def parsed_files(monkeypatch) -> list[str]:
    """Names of the files the processor parses from now on."""
    parsed: list[str] = []
    real = processing.iter_documents

    def spy(data, *, source, **kwargs):
        parsed.append(source.rsplit("/", 1)[-1])
        return real(data, source=source, **kwargs)

    monkeypatch.setattr(processing, "iter_documents", spy)
    return parsed


def register(path):
    return register_location(validate_location_spec("file", str(path)), trusted=True)


def test_unchanged_file_is_not_parsed_again(write_file, parsed_files):
    location = register(write_file("catalog-info.yaml", component("web")))
    refresh_location(location)
    parsed_files.clear()

    report = refresh_location(location)

    assert parsed_files == []
    assert report.unchanged == 2 and report.orphaned == []


def test_changed_file_is_parsed(write_file, parsed_files):
    location = register(write_file("catalog-info.yaml", component("web")))
    refresh_location(location)
    write_file("catalog-info.yaml", component("web", owner="team-b"))
    parsed_files.clear()

    report = refresh_location(location)

    assert parsed_files == ["catalog-info.yaml"] and report.changed == ["component:default/web"]


def test_files_with_location_entities_are_always_read(write_file, parsed_files):
    location = register(write_file("catalog-info.yaml", ROOT))
    write_file("services/web.yaml", component("web"))
    refresh_location(location)
    write_file("services/api.yaml", component("api"))
    parsed_files.clear()

    report = refresh_location(location)

    assert sorted(parsed_files) == ["api.yaml", "catalog-info.yaml"]
    assert report.added == ["component:default/api"]


def test_file_with_errors_is_read_again_so_errors_stay_reported(write_file):
    location = register(write_file("catalog-info.yaml", component("web") + "---\n" + component("bad name")))
    first = refresh_location(location)
    second = refresh_location(location)
    assert len(first.refused) == len(second.refused) == 1
    location.refresh_from_db()
    assert location.errors and location.errors[0]["field"] == "metadata.name"


def test_changed_rules_make_files_read_again(write_file, settings):
    group = "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: team-a}\n"
    group += "spec: {type: team, children: []}\n"
    location = register(write_file("catalog-info.yaml", group))
    refresh_location(location)
    settings.CATALOG = {**settings.CATALOG, "RULES": [{"allow": ["Component", "Location"]}]}
    config.catalog_settings.cache_clear()

    report = refresh_location(location)

    assert "not an allowed kind" in str(report.refused[0])


def test_placeholder_files_follow_their_embedded_files(write_file):
    write_file("openapi.yaml", "openapi: 3.0.0\n")
    path = write_file("catalog-info.yaml", API_WITH_TEXT_PLACEHOLDER)
    location = register(path)
    refresh_location(location)
    write_file("openapi.yaml", "openapi: 3.1.0\n")

    refresh_location(location)

    assert Entity.objects.get(ref="api:default/pets").body["spec"]["definition"] == "openapi: 3.1.0\n"


def test_skipped_entities_are_not_orphaned(write_file):
    location = register(write_file("catalog-info.yaml", component("web") + "---\n" + component("api")))
    refresh_location(location)
    refresh_location(location)
    assert not Entity.objects.filter(is_orphan=True).exists()

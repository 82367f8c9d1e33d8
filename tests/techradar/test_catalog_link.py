"""The Hold warning on entity pages: shown to components using a Hold technology, cheap, and invalidated."""

from __future__ import annotations

import pytest

from catalog.models import Entity
from catalog.services import refresh_location, register_location, validate_location_spec
from techradar.hold import hold_entries_for, uses_hold_technology
from techradar.models import RadarEntry, Ring
from techradar.services import move_entry
from tests.techradar.test_views import CATALOG

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog(write_file):
    refresh_location(
        register_location(validate_location_spec("file", str(write_file("catalog.yaml", CATALOG))), trusted=True)
    )


def test_component_using_a_hold_technology_shows_the_warning(reader, sample_radar, catalog):
    page = reader.get("/catalog/component/default/old-ci/").content.decode()
    assert 'id="card-tech-radar-hold"' in page and "Technologies on hold" in page
    assert '<a href="/tech-radar/default/entries/friday-deploys/">Deploying on Friday afternoons</a>' in page


def test_annotation_links_a_component_to_a_hold_entry(reader, sample_radar, catalog):
    assert 'id="card-tech-radar-hold"' in reader.get("/catalog/component/default/shop/").content.decode()


def test_no_warning_without_a_hold_technology(reader, sample_radar, catalog):
    assert "card-tech-radar-hold" not in reader.get("/catalog/component/default/clean/").content.decode()
    assert "card-tech-radar-hold" not in reader.get("/catalog/group/default/team-a/").content.decode()


def test_deciding_costs_no_query_once_cached(sample_radar, catalog, django_assert_num_queries):
    entity = Entity.objects.get(name="old-ci")
    with django_assert_num_queries(1):
        assert uses_hold_technology(entity)
    with django_assert_num_queries(0):
        assert uses_hold_technology(entity)
        assert [item["key"] for item in hold_entries_for(entity)] == ["friday-deploys"]


def test_moving_an_entry_to_hold_invalidates_the_cache(sample_radar, catalog):
    entity = Entity.objects.get(name="clean")
    assert not uses_hold_technology(entity)
    move_entry(RadarEntry.objects.get(key="htmx"), Ring.objects.get(key="hold"), "Too heavy")
    assert [item["key"] for item in hold_entries_for(entity)] == ["htmx"]


def test_tag_matching_can_be_switched_off(sample_radar, catalog, settings):
    settings.TECH_RADAR = {**settings.TECH_RADAR, "MATCH_TAGS": False}
    assert not uses_hold_technology(Entity.objects.get(name="old-ci"))
    assert uses_hold_technology(Entity.objects.get(name="shop"))


def test_entity_page_query_count_with_the_card(reader, sample_radar, catalog):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # Both pages once first: a warm page reads its owner lookup from the cache.
    reader.get("/catalog/component/default/old-ci/")
    reader.get("/catalog/component/default/clean/")
    with CaptureQueriesContext(connection) as with_card:
        reader.get("/catalog/component/default/old-ci/")
    with CaptureQueriesContext(connection) as without_card:
        reader.get("/catalog/component/default/clean/")
    assert len(with_card) == len(without_card)

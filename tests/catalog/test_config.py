"""Static locations and rules from a Backstage-style app-config file."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from catalog import config
from catalog.models import Entity, Location
from catalog.services import sync_config_locations
from catalog.tasks import refresh_location_task
from tests.conftest import component


@pytest.fixture
def app_config(tmp_path, settings):
    def write(text: str):
        path = tmp_path / "app-config.yaml"
        path.write_text(text)
        settings.GREENROOM_CONFIG_FILE = str(path)
        config.catalog_settings.cache_clear()
        return path

    return write


@pytest.mark.django_db
def test_locations_and_rules_come_from_the_app_config_file(app_config, write_file):
    catalog_file = write_file("catalog-info.yaml", component("web") + "---\n" + component("api"))
    group = write_file(
        "org.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: ops}\nspec: {type: team, children: []}\n",
    )
    app_config(
        f"""
catalog:
  rules:
    - allow: [Component, Location]
  locations:
    - type: file
      target: {catalog_file}
    - type: file
      target: {group}
      rules:
        - allow: [Group]
"""
    )
    locations = sync_config_locations()
    for location in locations:
        refresh_location_task(str(location.pk))

    assert {location.origin for location in Location.objects.all()} == {Location.Origin.CONFIG}
    assert set(Entity.objects.exclude(kind="Location").values_list("name", flat=True)) == {
        "web",
        "api",
        "ops",
    }


@pytest.mark.django_db
def test_a_directory_in_config_means_every_catalog_info_beneath_it(app_config, write_file):
    write_file("team/a/catalog-info.yaml", component("web"))
    directory = write_file("team/b/catalog-info.yaml", component("api")).parent.parent
    app_config(f"catalog:\n  locations:\n    - type: file\n      target: {directory}\n")
    assert [location.target for location in sync_config_locations()] == [f"{directory}/**/catalog-info.yaml"]


def test_location_without_target_is_a_configuration_error(app_config):
    app_config("catalog:\n  locations:\n    - type: file\n")
    with pytest.raises(ImproperlyConfigured, match=r"locations\[0\] needs a 'type' and a 'target'"):
        config.static_locations()


def test_unreadable_config_file_names_the_file(app_config, tmp_path):
    path = app_config("catalog: [unclosed\n")
    with pytest.raises(ImproperlyConfigured, match=str(path)):
        config.catalog_settings()

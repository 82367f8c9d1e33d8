"""Backstage's own example app-configs (tests/fixtures/app-config/backstage/) start Greenroom unchanged."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from catalog import config
from catalog.checks import app_config_check
from catalog.services import sync_config_locations
from portal import app_config

REPO_ROOT = Path(__file__).resolve().parents[2]
FOLDER = REPO_ROOT / "tests" / "fixtures" / "app-config" / "backstage"
EXAMPLE = FOLDER / "app-config.yaml"
PRODUCTION = FOLDER / "app-config.production.yaml"
TOKEN = "ghp_example-config-token-never-logged"
# Every variable the two files name under `integrations` and `catalog`; the rest are never looked up.
READ_VARIABLES = (
    "GITHUB_TOKEN",
    "GITLAB_TOKEN",
    "AZURE_TOKEN",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "BITBUCKET_USERNAME",
    "BITBUCKET_APP_PASSWORD",
)


@pytest.fixture
def load(settings, monkeypatch):
    """Point GREENROOM_CONFIG at the named files, with GITHUB_TOKEN set as a user would and the rest unset."""
    for name in READ_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setattr(app_config, "_warned_sections", False)

    def load(*paths: Path) -> dict:
        settings.GREENROOM_CONFIG_FILE = os.pathsep.join(str(path) for path in paths)
        config.catalog_settings.cache_clear()
        return config.catalog_settings()

    return load


def test_manage_py_check_passes_with_the_example_configs_unchanged():
    env = {key: value for key, value in os.environ.items() if key not in READ_VARIABLES}
    env["GREENROOM_CONFIG"] = os.pathsep.join((str(EXAMPLE), str(PRODUCTION)))
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    ignored = [line for line in result.stderr.splitlines() if "sections Greenroom does not read" in line]
    assert len(ignored) == 1
    # Sections Greenroom does not read are not substituted: no warning about their variables or files.
    assert "backend." not in result.stderr and "proxy." not in result.stderr and "auth." not in result.stderr


def test_the_example_config_yields_its_rules_locations_and_integrations(load, caplog):
    with caplog.at_level(logging.WARNING):
        catalog = load(EXAMPLE)
    assert catalog["RULES"] == [{"allow": ["Component", "API", "Resource", "System", "Domain", "Location"]}]
    locations = config.static_locations()
    assert [location.type for location in locations] == ["file"] * 6
    assert locations[0].target == str((REPO_ROOT / "../catalog-model/examples/all.yaml").resolve())
    assert [location.rules for location in locations] == [
        None,
        [{"allow": ["User", "Group"]}],
        None,
        None,
        [{"allow": ["Template"]}],
        None,
    ]
    integrations = {item.label: item for item in catalog["INTEGRATIONS"]}
    assert set(integrations) == {"github[0]", "gitlab[0]", "azure[0]"}  # awsS3 is not a git host: skipped
    assert integrations["github[0]"].host == "github.com"
    assert integrations["github[0]"].token.reveal() == TOKEN
    assert integrations["gitlab[0]"].token is None
    messages = [record.getMessage() for record in caplog.records]
    assert any("integrations.gitlab[0].token is left out" in message for message in messages)
    ignored = [message for message in messages if "sections Greenroom does not read" in message]
    assert len(ignored) == 1 and "backend" in ignored[0] and "proxy" in ignored[0] and "catalog" not in ignored[0]
    assert any("catalog keys Greenroom does not read are ignored: import, processors" in m for m in messages)
    assert not any("auth.providers" in message for message in messages)
    assert TOKEN not in caplog.text


def test_the_production_overlay_merges_as_backstage_merges_it(load, caplog):
    """Its ``locations:`` holds only comments (null: no fallback to the first file's list); its
    ``backend`` names a ``$file`` the host does not have, which Greenroom never reads."""
    assert not (FOLDER / "ca" / "rds-ca-2019-root.pem").exists()
    with caplog.at_level(logging.WARNING):
        catalog = load(EXAMPLE, PRODUCTION)
    assert catalog["LOCATIONS"] == []
    assert "Group" in catalog["RULES"][0]["allow"] and "Template" in catalog["RULES"][0]["allow"]
    assert [item.label for item in catalog["INTEGRATIONS"]] == ["github[0]", "gitlab[0]", "azure[0]"]
    loaded = app_config.load_app_config(str(PRODUCTION))
    assert loaded["backend"]["database"]["connection"]["ssl"]["ca"] == {"$file": "ca/rds-ca-2019-root.pem"}
    assert app_config_check() == []


@pytest.mark.django_db
def test_file_locations_that_are_not_on_this_host_are_logged_and_skipped(load, caplog):
    load(EXAMPLE)
    with caplog.at_level(logging.ERROR, logger="catalog.services.locations"):
        assert sync_config_locations() == []
    skipped = [record.getMessage() for record in caplog.records if "is skipped" in record.getMessage()]
    assert len(skipped) == 6
    assert "catalog-model/examples/all.yaml" in skipped[0]


def test_a_broken_read_section_fails_the_check_naming_file_and_key(settings, tmp_path):
    path = tmp_path / "app-config.yaml"
    path.write_text("integrations:\n  github: {$file: nope.txt}\n")
    settings.GREENROOM_CONFIG_FILE = str(path)
    config.catalog_settings.cache_clear()
    (error,) = app_config_check()
    assert error.id == "catalog.E001"
    assert str(path) in error.msg and "integrations.github.$file: cannot read nope.txt" in error.msg

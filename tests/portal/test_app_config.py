"""Reading a Backstage app-config as it is: substitutions, ignored sections, bad input."""

from __future__ import annotations

import logging

import pytest
from django.core.exceptions import ImproperlyConfigured

from catalog import config
from portal import app_config
from portal.app_config import load_app_config
from tests.conftest import REPO_ROOT

BACKSTAGE_APP_CONFIG = REPO_ROOT / "tests" / "fixtures" / "app-config" / "app-config.yaml"
SECRET = "ghp_s3cret-value-never-logged"


@pytest.fixture(autouse=True)
def _fresh_reports(monkeypatch):
    monkeypatch.setattr(app_config, "_reported_ignored", set())


def write(tmp_path, text: str):
    path = tmp_path / "app-config.yaml"
    path.write_text(text)
    return path


def test_a_backstage_app_config_starts_greenroom_unchanged(settings, caplog):
    settings.GREENROOM_CONFIG_FILE = str(BACKSTAGE_APP_CONFIG)
    config.catalog_settings.cache_clear()
    with caplog.at_level(logging.WARNING, logger="portal.app_config"):
        merged = config.catalog_settings()
        locations = config.static_locations()
    config.catalog_settings.cache_clear()

    assert merged["RULES"] == [{"allow": ["Component", "System", "API", "Resource", "Location"]}]
    targets = [location.target for location in locations]
    assert str(REPO_ROOT / "tests" / "fixtures" / "catalog" / "components.yaml") in targets
    assert locations[-1].rules == [{"allow": ["User", "Group"]}]
    ignored = [record.getMessage() for record in caplog.records if "does not read" in record.getMessage()]
    assert len(ignored) == 1
    for section in ("app", "auth", "backend", "integrations", "kubernetes", "techdocs"):
        assert section in ignored[0]


def test_variables_are_substituted_and_dollar_dollar_is_literal(tmp_path):
    path = write(tmp_path, "catalog:\n  a: 'https://${HOST}/x'\n  b: '$${NOT_A_VAR}'\n  c: '${ HOST }'\n")
    document = load_app_config(path, environ={"HOST": "git.example.com"})
    assert document["catalog"] == {"a": "https://git.example.com/x", "b": "${NOT_A_VAR}", "c": "git.example.com"}


def test_an_unset_variable_drops_its_key_and_the_warning_names_only_the_path(tmp_path, caplog):
    path = write(tmp_path, "catalog:\n  keep: x\n  token: '${GITHUB_TOKEN}'\n  list: ['${GITHUB_TOKEN}', y]\n")
    with caplog.at_level(logging.WARNING, logger="portal.app_config"):
        document = load_app_config(path, environ={})
    assert document["catalog"] == {"keep": "x", "list": ["y"]}
    messages = " ".join(record.getMessage() for record in caplog.records)
    assert "catalog.token" in messages and "GITHUB_TOKEN" in messages


def test_env_and_file_forms_and_values_never_reach_the_log(tmp_path, caplog):
    (tmp_path / "key.pem").write_text("PRIVATE KEY TEXT")
    path = write(tmp_path, "catalog:\n  token: {$env: TOKEN}\n  key: {$file: key.pem}\n  other: '${TOKEN}'\n")
    with caplog.at_level(logging.DEBUG, logger="portal.app_config"):
        document = load_app_config(path, environ={"TOKEN": SECRET})
    assert document["catalog"] == {"token": SECRET, "key": "PRIVATE KEY TEXT", "other": SECRET}
    assert SECRET not in caplog.text and "PRIVATE KEY TEXT" not in caplog.text


def test_an_unset_env_form_drops_its_key(tmp_path):
    path = write(tmp_path, "catalog:\n  token: {$env: MISSING}\n  keep: 1\n")
    assert load_app_config(path, environ={})["catalog"] == {"keep": 1}


def test_a_file_outside_the_config_folder_is_refused_symlinks_too(tmp_path):
    folder = tmp_path / "config"
    folder.mkdir()
    (tmp_path / "secret.txt").write_text("outside")
    (folder / "link.txt").symlink_to(tmp_path / "secret.txt")
    for argument in ("../secret.txt", "link.txt", "/etc/passwd"):
        path = write(folder, f"catalog:\n  key: {{$file: '{argument}'}}\n")
        with pytest.raises(ImproperlyConfigured, match=r"catalog\.key: \$file .* outside the config file's folder"):
            load_app_config(path, environ={})


def test_a_missing_file_names_the_key(tmp_path):
    path = write(tmp_path, "catalog:\n  key: {$file: absent.pem}\n")
    with pytest.raises(ImproperlyConfigured, match=r"catalog\.key: \$file 'absent.pem'"):
        load_app_config(path, environ={})


def test_a_special_form_needs_a_string(tmp_path):
    path = write(tmp_path, "catalog:\n  key: {$env: [A]}\n")
    with pytest.raises(ImproperlyConfigured, match=r"catalog\.key: \$env needs a non-empty string"):
        load_app_config(path, environ={})


def test_bad_yaml_names_the_file_and_line(tmp_path):
    path = write(tmp_path, "catalog:\n  rules:\n    - allow: [Component\n  locations: []\n")
    with pytest.raises(ImproperlyConfigured, match=r"app-config\.yaml line \d+"):
        load_app_config(path, environ={})


def test_the_top_level_must_be_a_mapping_and_the_file_must_exist(tmp_path):
    with pytest.raises(ImproperlyConfigured, match="top level must be a mapping"):
        load_app_config(write(tmp_path, "- a\n- b\n"), environ={})
    with pytest.raises(ImproperlyConfigured, match=r"absent\.yaml"):
        load_app_config(tmp_path / "absent.yaml", environ={})


def test_ignored_sections_are_reported_once(tmp_path, caplog):
    path = write(tmp_path, "app: {title: x}\ntechdocs: {}\ncatalog: {}\n")
    with caplog.at_level(logging.WARNING, logger="portal.app_config"):
        load_app_config(path, environ={})
        load_app_config(path, environ={})
    assert [record.getMessage().rsplit(": ", 1)[-1] for record in caplog.records] == ["app, techdocs"]


def test_an_empty_file_is_an_empty_config(tmp_path):
    assert load_app_config(write(tmp_path, ""), environ={}) == {}

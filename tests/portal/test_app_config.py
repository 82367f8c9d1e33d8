"""portal.app_config: Backstage's app-config substitutions, merging and refusals."""

from __future__ import annotations

import logging
import os

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal import app_config
from portal.app_config import load_app_config

SECRET = "s3cr3t-value-never-logged"


@pytest.fixture(autouse=True)
def _fresh_warnings(monkeypatch):
    monkeypatch.setattr(app_config, "_warned_sections", False)


@pytest.fixture
def write(tmp_path):
    def write(name: str, text: str):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    return write


def test_variables_inside_strings_come_from_the_environment(write, monkeypatch):
    monkeypatch.setenv("GR_HOST", "git.example.com")
    path = write("app-config.yaml", "catalog:\n  target: https://${GR_HOST}/org/${ GR_HOST }.yaml\n")
    assert load_app_config(str(path))["catalog"]["target"] == "https://git.example.com/org/git.example.com.yaml"


def test_a_doubled_dollar_is_a_literal(write, monkeypatch):
    monkeypatch.setenv("GR_HOST", "x")
    path = write("app-config.yaml", "catalog:\n  text: $${GR_HOST} and ${GR_HOST}\n")
    assert load_app_config(str(path))["catalog"]["text"] == "${GR_HOST} and x"


def test_env_and_file_objects(write, monkeypatch):
    monkeypatch.setenv("GR_TOKEN", SECRET)
    write("secrets/key.pem", "PEM TEXT\n")
    path = write("app-config.yaml", "integrations:\n  token: {$env: GR_TOKEN}\n  key: {$file: secrets/key.pem}\n")
    assert load_app_config(str(path))["integrations"] == {"token": SECRET, "key": "PEM TEXT\n"}


def test_include_reads_yaml_relative_to_the_config(write, monkeypatch):
    monkeypatch.setenv("GR_TOKEN", SECRET)
    write("parts/github.yaml", "- host: github.com\n  token: ${GR_TOKEN}\n")
    path = write("app-config.yaml", "integrations:\n  github: {$include: parts/github.yaml}\n")
    assert load_app_config(str(path))["integrations"]["github"] == [{"host": "github.com", "token": SECRET}]


def test_a_missing_variable_drops_the_key_and_names_its_path(write, monkeypatch, caplog):
    monkeypatch.delenv("GR_MISSING", raising=False)
    monkeypatch.setenv("GR_SET", SECRET)
    path = write(
        "app-config.yaml",
        "integrations:\n  github:\n    - host: github.com\n      token: ${GR_MISSING}\n      other: ${GR_SET}\n"
        "    - {$env: GR_MISSING}\n",
    )
    with caplog.at_level(logging.WARNING, logger="portal.app_config"):
        loaded = load_app_config(str(path))
    assert loaded["integrations"]["github"] == [{"host": "github.com", "other": SECRET}]
    assert "integrations.github[0].token" in caplog.text
    assert "integrations.github[1]" in caplog.text
    assert str(path) in caplog.text
    assert SECRET not in caplog.text


def test_file_outside_the_config_folder_is_refused(tmp_path, write):
    (tmp_path / "outside.txt").write_text("nope")
    path = write("conf/app-config.yaml", "catalog:\n  key: {$file: ../outside.txt}\n")
    with pytest.raises(ImproperlyConfigured, match=r"catalog\.key\.\$file names a file outside"):
        load_app_config(str(path))


def test_a_symlink_leading_outside_is_refused(tmp_path, write):
    (tmp_path / "outside.txt").write_text("nope")
    path = write("conf/app-config.yaml", "catalog:\n  key: {$include: link.yaml}\n")
    (tmp_path / "conf" / "link.yaml").symlink_to(tmp_path / "outside.txt")
    with pytest.raises(ImproperlyConfigured, match="outside"):
        load_app_config(str(path))


def test_later_files_merge_over_earlier_ones(write):
    first = write("app-config.yaml", "catalog:\n  rules: [{allow: [Component]}]\n  keep: 1\n")
    second = write("app-config.local.yaml", "catalog:\n  rules: [{allow: [API]}]\n")
    loaded = load_app_config(f"{first}{os.pathsep}{second}")
    assert loaded["catalog"] == {"rules": [{"allow": ["API"]}], "keep": 1}


def test_ignored_sections_are_warned_about_once(write, caplog):
    path = write("app-config.yaml", "app: {title: x}\nbackend: {baseUrl: y}\ncatalog: {}\n")
    with caplog.at_level(logging.WARNING, logger="portal.app_config"):
        load_app_config(str(path))
        load_app_config(str(path))
    lines = [record.getMessage() for record in caplog.records if "does not read" in record.getMessage()]
    assert lines == ["app-config: sections Greenroom does not read are ignored: app, backend"]


def test_bad_yaml_names_the_file_and_line(write):
    path = write("app-config.yaml", "catalog:\n  rules: [unclosed\n")
    with pytest.raises(ImproperlyConfigured, match=rf"{path} line \d+"):
        load_app_config(str(path))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- a list\n", "top level must be a mapping"),
        ("catalog:\n  key: {$env: 3}\n", r"catalog\.key\.\$env must name a variable"),
        ("catalog:\n  key: {$file: missing.txt}\n", r"catalog\.key\.\$file: cannot read"),
    ],
)
def test_wrong_shapes_are_refused_with_the_key_path(write, text, message):
    path = write("app-config.yaml", text)
    with pytest.raises(ImproperlyConfigured, match=message):
        load_app_config(str(path))


def test_keys_yaml_reads_as_numbers_or_booleans_stay_text(write):
    path = write("app-config.yaml", "catalog:\n  200: ok\n  on: true\n")
    assert load_app_config(str(path))["catalog"] == {"200": "ok", "True": True}


def test_a_file_that_is_not_text_is_refused(write, tmp_path):
    (tmp_path / "key.bin").write_bytes(b"\xff\xfe\x00")
    path = write("app-config.yaml", "catalog:\n  key: {$file: key.bin}\n")
    with pytest.raises(ImproperlyConfigured, match=r"catalog\.key\.\$file: cannot read"):
        load_app_config(str(path))


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(ImproperlyConfigured, match="cannot read"):
        load_app_config(str(tmp_path / "nope.yaml"))


def test_nothing_named_is_empty():
    assert load_app_config("") == {}


def test_include_with_a_fragment_takes_one_key_of_the_file(write):
    write("parts/shared.yaml", "integrations:\n  gitlab:\n    - host: gitlab.example.com\nother: 1\n")
    path = write("app-config.yaml", "integrations:\n  gitlab: {$include: 'parts/shared.yaml#integrations.gitlab'}\n")
    assert load_app_config(str(path))["integrations"]["gitlab"] == [{"host": "gitlab.example.com"}]


def test_include_with_a_missing_fragment_names_the_key_and_file(write):
    write("parts/shared.yaml", "integrations: {}\n")
    path = write("app-config.yaml", "catalog:\n  rules: {$include: 'parts/shared.yaml#catalog.rules'}\n")
    with pytest.raises(ImproperlyConfigured, match=r"shared\.yaml: catalog\.rules\.\$include: no key 'catalog\.rules'"):
        load_app_config(str(path))

"""Plugin discovery: entry points and GREENROOM_PLUGINS, imported once, failures kept with their error."""

from __future__ import annotations

import logging
import sys
import textwrap
from pathlib import Path

import pytest

from portal import plugins
from portal.plugins import discover_plugins, plugin_apps


@pytest.fixture
def plugin_path(tmp_path, monkeypatch):
    """A folder on ``sys.path`` to write plugin packages into; they are forgotten afterwards."""
    monkeypatch.syspath_prepend(str(tmp_path))
    before = set(sys.modules)
    yield tmp_path
    for name in set(sys.modules) - before:
        del sys.modules[name]


@pytest.fixture(autouse=True)
def kept_plugins(monkeypatch):
    """Tests that call ``plugin_apps()`` must not change what the running portal found."""
    monkeypatch.setattr(plugins, "_PLUGINS", list(plugins._PLUGINS))


def write_package(root: Path, name: str, files: dict[str, str]) -> None:
    for relative, text in {"__init__.py": "", **files}.items():
        path = root / name / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def write_entry_point(root: Path, distribution: str, version: str, entry_points: str) -> None:
    """An installed distribution's metadata, as pip writes it, declaring ``entry_points``."""
    info = root / f"{distribution}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {distribution}\nVersion: {version}\n")
    (info / "entry_points.txt").write_text(f"[greenroom.plugins]\n{entry_points}\n")


APPS = """
from django.apps import AppConfig


class ProbeConfig(AppConfig):
    name = "{name}"
"""


def test_named_plugin_is_added_to_installed_apps(plugin_path):
    write_package(plugin_path, "probe_plugin", {"apps.py": APPS.format(name="probe_plugin")})
    assert plugin_apps(["probe_plugin"], installed=["portal"]) == ["probe_plugin"]
    [plugin] = plugins.installed_plugins()
    assert (plugin.module, plugin.source, plugin.error, plugin.is_loaded) == (
        "probe_plugin",
        "GREENROOM_PLUGINS",
        "",
        True,
    )


def test_entry_point_plugin_is_found_with_its_distribution_version(plugin_path):
    write_package(plugin_path, "probe_plugin", {"apps.py": APPS.format(name="probe_plugin")})
    write_entry_point(plugin_path, "probe-plugin", "1.2.3", "probe = probe_plugin.apps:ProbeConfig")
    [plugin] = [plugin for plugin in discover_plugins([]) if plugin.module == "probe_plugin.apps"]
    assert (plugin.app, plugin.source, plugin.distribution, plugin.version, plugin.error) == (
        "probe_plugin.apps.ProbeConfig",
        "entry point 'probe'",
        "probe-plugin",
        "1.2.3",
        "",
    )


def test_plugin_both_declared_and_named_is_listed_once_with_both_sources(plugin_path):
    write_package(plugin_path, "probe_plugin", {})
    write_entry_point(plugin_path, "probe-plugin", "1.0", "probe = probe_plugin")
    found = [plugin for plugin in discover_plugins(["probe_plugin"]) if plugin.module == "probe_plugin"]
    assert [(plugin.app, plugin.source) for plugin in found] == [
        ("probe_plugin", "entry point 'probe', GREENROOM_PLUGINS")
    ]


def test_plugin_that_fails_to_import_is_kept_out_with_its_error(plugin_path):
    write_package(plugin_path, "broken_plugin", {"__init__.py": "raise RuntimeError('the plugin is broken')\n"})
    write_package(plugin_path, "probe_plugin", {})
    assert plugin_apps(["broken_plugin", "probe_plugin"]) == ["probe_plugin"]
    broken = plugins.installed_plugins()[0]
    assert (broken.module, broken.error, broken.is_loaded) == (
        "broken_plugin",
        "RuntimeError: the plugin is broken",
        False,
    )
    assert "raise RuntimeError('the plugin is broken')" in broken.error_detail


def test_plugin_whose_app_config_module_fails_is_kept_out(plugin_path):
    write_package(plugin_path, "probe_plugin", {"apps.py": "import no_such_module_anywhere\n"})
    assert plugin_apps(["probe_plugin"]) == []
    assert plugins.installed_plugins()[0].error == "ModuleNotFoundError: No module named 'no_such_module_anywhere'"


def test_missing_plugin_is_an_error_not_a_crash():
    assert plugin_apps(["no_such_plugin"]) == []
    assert plugins.installed_plugins()[0].error == "ModuleNotFoundError: No module named 'no_such_plugin'"


@pytest.mark.parametrize("name", ["not-a-module", "1st", "a..b", ""])
def test_name_that_is_no_module_name_is_an_error(name):
    [plugin] = discover_plugins([name])
    assert plugin.error == f"{name!r} is not a Python module name"


def test_plugin_may_not_stand_in_for_an_installed_app():
    [plugin] = discover_plugins(["catalog"], installed=["portal", "catalog"])
    assert plugin.error == "'catalog' is already an installed app"


def test_failures_are_logged_with_their_traceback(plugin_path, caplog):
    write_package(plugin_path, "broken_plugin", {"__init__.py": "raise RuntimeError('the plugin is broken')\n"})
    plugin_apps(["broken_plugin"])
    with caplog.at_level(logging.ERROR, logger="portal.plugins"):
        plugins.log_failures()
    [record] = caplog.records
    assert record.getMessage().startswith(
        "plugin broken_plugin (GREENROOM_PLUGINS) was not loaded: RuntimeError: the plugin is broken\nTraceback"
    )


def test_url_prefix_is_the_declared_one_or_plugins_label():
    class Config:
        label = "probe"
        url_prefix = ""

    assert plugins.url_prefix(Config()) == "plugins/probe/"
    Config.url_prefix = "/tools/probe"
    assert plugins.url_prefix(Config()) == "tools/probe/"

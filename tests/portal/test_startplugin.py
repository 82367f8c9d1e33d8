"""``manage.py startplugin NAME [DIR]`` writes a plugin package; bad names and taken folders are refused."""

from __future__ import annotations

import tomllib

import pytest
from django.core.management import CommandError, call_command

from portal.plugin_writer import plugin_words

FILES = [
    "README.md",
    "acme_costs/__init__.py",
    "acme_costs/apps.py",
    "acme_costs/extensions.py",
    "acme_costs/templates/acme_costs/home_card.html",
    "acme_costs/templates/acme_costs/index.html",
    "acme_costs/templates/acme_costs/tab.html",
    "acme_costs/urls.py",
    "acme_costs/views.py",
    "pyproject.toml",
    "tests/conftest.py",
    "tests/test_acme_costs.py",
]


def written(directory) -> list[str]:
    return sorted(str(path.relative_to(directory)) for path in directory.rglob("*") if path.is_file())


def test_writes_the_package_into_the_folder_named(tmp_path, capsys):
    call_command("startplugin", "acme_costs", str(tmp_path / "plugin"))
    assert written(tmp_path / "plugin") == FILES
    assert f"wrote plugin acme_costs (12 files) in {tmp_path / 'plugin'}" in capsys.readouterr().out


def test_folder_defaults_to_the_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    call_command("startplugin", "acme_costs")
    assert written(tmp_path / "acme_costs") == FILES


def test_pyproject_declares_the_entry_point_and_ships_the_templates(tmp_path):
    call_command("startplugin", "acme_costs", str(tmp_path))
    project = tomllib.loads((tmp_path / "pyproject.toml").read_text())
    assert project["project"]["name"] == "acme-costs"
    assert project["project"]["entry-points"]["greenroom.plugins"] == {"acme_costs": "acme_costs"}
    assert project["tool"]["setuptools"]["package-data"] == {"*": ["*.html"]}


def test_placeholders_are_all_filled(tmp_path):
    call_command("startplugin", "acme_costs", str(tmp_path))
    apps = (tmp_path / "acme_costs/apps.py").read_text()
    assert "class AcmeCostsConfig(AppConfig):" in apps and 'verbose_name = "Acme costs"' in apps
    assert not [name for name in FILES if "PLUGIN_" in (tmp_path / name).read_text()]


def test_python_files_compile(tmp_path):
    call_command("startplugin", "acme_costs", str(tmp_path))
    for name in FILES:
        if name.endswith(".py"):
            compile((tmp_path / name).read_text(), name, "exec")


def test_words_of_a_name():
    assert plugin_words("acme_cost_report") == {
        "PLUGIN_NAME": "acme_cost_report",
        "PLUGIN_CLASS": "AcmeCostReport",
        "PLUGIN_TITLE": "Acme cost report",
        "PLUGIN_DIST": "acme-cost-report",
    }


@pytest.mark.parametrize("name", ["acme-costs", "AcmeCosts", "1acme", "class", "acme costs", ""])
def test_refuses_a_name_that_is_no_lower_case_identifier(tmp_path, name):
    with pytest.raises(CommandError, match=f"{name!r} is not a valid plugin name: use a lower-case Python identifier"):
        call_command("startplugin", name, str(tmp_path / "plugin"))
    assert not (tmp_path / "plugin").exists()


@pytest.mark.parametrize("name", ["json", "catalog"])
def test_refuses_the_name_of_an_existing_module(tmp_path, name):
    with pytest.raises(CommandError, match=f"'{name}' is the name of an existing Python module"):
        call_command("startplugin", name, str(tmp_path / "plugin"))
    assert not (tmp_path / "plugin").exists()


def test_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(CommandError, match=f"{tmp_path} already exists and is not an empty folder"):
        call_command("startplugin", "acme_costs", str(tmp_path))
    assert written(tmp_path) == ["notes.txt"]


def test_refuses_a_file_as_the_folder(tmp_path):
    (tmp_path / "plugin").write_text("mine")
    with pytest.raises(CommandError, match="already exists and is not an empty folder"):
        call_command("startplugin", "acme_costs", str(tmp_path / "plugin"))
    assert (tmp_path / "plugin").read_text() == "mine"

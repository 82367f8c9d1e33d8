"""Checks run by ``test_plugins_venv.py`` inside a virtualenv where ``demo_plugin`` is pip-installed.

Not collected by the suite (the name is no ``test_*``): outside that virtualenv there is no plugin.
With ``GREENROOM_PLUGINS=demo_plugin,broken_plugin`` (``broken_plugin`` raising on import), the
demo plugin is found by both its entry point and the setting, the broken one is listed with its
error, and every page of the sidebar still answers; without the setting, by the entry point alone.
"""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest

from portal.registry import entity_tabs, nav_items

NAMED = os.environ.get("GREENROOM_PLUGINS", "")

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", password="root-password-1"))
    return client


def row(page: str, key: str) -> str:
    return page.split(f'<tr id="{key}">')[1].split("</tr>")[0]


def test_plugins_page_lists_the_installed_plugin_and_what_it_registers(admin_client):
    demo = row(admin_client.get("/plugins/").content.decode(), "plugin-demo_plugin")
    assert "demo-plugin 0.1.0" in demo and '<span class="chip">Loaded</span>' in demo
    expected_source = "entry point &#x27;demo_plugin&#x27;" + (", GREENROOM_PLUGINS" if NAMED else "")
    assert f"<td>{expected_source}</td>" in demo
    for line in (
        "<dt>Entity tab</dt><dd><code>demo_plugin</code></dd>",
        "<dt>Home widget</dt><dd><code>demo_plugin</code></dd>",
        "<dt>Scaffolder action</dt><dd><code>demo_plugin:greet</code></dd>",
        "<dt>Fact collector</dt><dd><code>demo_plugin</code></dd>",
    ):
        assert line in demo
    assert "URLs under <code>/plugins/demo_plugin/</code>" in demo


def test_plugins_page_shows_the_broken_plugin_with_its_error(admin_client):
    page = admin_client.get("/plugins/").content.decode()
    if "broken_plugin" not in NAMED:
        assert 'id="plugin-broken_plugin"' not in page
        return
    broken = row(page, "plugin-broken_plugin")
    assert '<code class="plugin-error">RuntimeError: broken on purpose</code>' in broken


def test_entity_page_has_the_plugins_tab():
    assert "demo_plugin" in [tab.key for tab in entity_tabs(SimpleNamespace(kind="Component"))]


def test_home_page_shows_the_plugins_card(admin_client):
    assert '<p id="demo_plugin-home-card">Hello, root, from Demo plugin.' in admin_client.get("/").content.decode()


@pytest.mark.parametrize("url", [*(item.url for item in nav_items()), "/plugins/demo_plugin/", "/api/catalog/entities"])
def test_every_other_page_answers(admin_client, url):
    assert admin_client.get(url).status_code == 200

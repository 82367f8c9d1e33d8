"""``/plugins/``: platform admins see each plugin, its version, source, error and registrations."""

from __future__ import annotations

import pytest

from portal import plugins
from portal.plugins import Plugin
from portal.registry import EntityTab, register_entity_tab, restored_registry

pytestmark = pytest.mark.django_db


@pytest.fixture
def found(monkeypatch):
    """Plugins as settings would have found them: one that loaded (no app of that name) and one that failed."""
    listed = [
        Plugin("probe_plugin", "probe_plugin", ["entry point 'probe'"], "probe-plugin", "1.2.3"),
        Plugin("broken_plugin", "broken_plugin", ["GREENROOM_PLUGINS"], error="RuntimeError: the plugin is broken"),
    ]
    monkeypatch.setattr(plugins, "_PLUGINS", listed)
    return listed


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/plugins/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=/plugins/")


def test_signed_in_non_admin_is_refused(client, reader):
    client.force_login(reader)
    assert client.get("/plugins/").status_code == 403


def test_admin_sees_each_plugin_with_version_source_and_status(client, platform_admin, found):
    client.force_login(platform_admin)
    page = client.get("/plugins/").content.decode()
    probe = page.split('<tr id="plugin-probe_plugin">')[1].split("</tr>")[0]
    assert "probe-plugin 1.2.3" in probe and "entry point &#x27;probe&#x27;" in probe
    assert '<span class="chip">Loaded</span>' in probe
    broken = page.split('<tr id="plugin-broken_plugin">')[1].split("</tr>")[0]
    assert "GREENROOM_PLUGINS" in broken and '<span class="chip">Failed</span>' in broken
    assert '<code class="plugin-error">RuntimeError: the plugin is broken</code>' in broken


def test_admin_sees_what_each_of_greenrooms_apps_registered(client, platform_admin):
    client.force_login(platform_admin)
    page = client.get("/plugins/").content.decode()
    techdocs = page.split('<tr id="app-techdocs">')[1].split("</tr>")[0]
    assert "<dt>Entity tab</dt><dd><code>docs</code></dd>" in techdocs
    assert "<dt>Fact collector</dt><dd><code>techdocs</code></dd>" in techdocs
    assert "<dt>Nav item</dt><dd><code>Docs</code></dd>" in techdocs
    assert "<code>debug:log</code>" in page.split('<tr id="app-scaffolder">')[1].split("</tr>")[0]


def test_a_registration_shows_under_the_app_that_made_it(client, platform_admin):
    client.force_login(platform_admin)
    with restored_registry():
        # Registered from the techradar app's code outside ready(): owned by the calling module's app.
        exec(
            "from portal.registry import EntityTab, register_entity_tab\n"
            "register_entity_tab(EntityTab('probe', 'Probe', 'probe/tab.html'))",
            {"__name__": "techradar.probe"},
        )
        page = client.get("/plugins/").content.decode()
    radar = page.split('<tr id="app-techradar">')[1].split("</tr>")[0]
    assert "<dt>Entity tab</dt><dd><code>probe</code></dd>" in radar


def test_page_says_when_no_plugin_is_installed(client, platform_admin, monkeypatch):
    monkeypatch.setattr(plugins, "_PLUGINS", [])
    client.force_login(platform_admin)
    assert "No plugins are installed." in client.get("/plugins/").content.decode()


def test_registration_of_no_app_is_on_no_row(client, platform_admin):
    client.force_login(platform_admin)
    with restored_registry():
        register_entity_tab(EntityTab("probe", "Probe", "probe/tab.html"))
        page = client.get("/plugins/").content.decode()
    # Made outside any app (by this test): on no app's row.
    assert "<code>probe</code>" not in page


def test_page_reads_the_session_the_account_and_its_admin_group_only(
    client, platform_admin, found, django_assert_num_queries
):
    client.force_login(platform_admin)
    with django_assert_num_queries(3):
        assert client.get("/plugins/").status_code == 200

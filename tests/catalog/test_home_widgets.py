"""The home page: widgets from the registry, and the catalog's own (owned by me, starred, recent, summary)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.home_widgets import SHOWN
from catalog.models import Star
from catalog.recent import SESSION_KEY
from portal import registry
from portal.registry import HomeWidget, register_home_widget

pytestmark = pytest.mark.django_db


def widget_html(page: str, key: str) -> str:
    return page.split(f'id="widget-{key}"')[1].split("</section>")[0]


@pytest.fixture
def plugin_widget(settings, tmp_path):
    """A widget registered the way an outside app would, with its own template directory."""
    (tmp_path / "templates" / "plugin").mkdir(parents=True)
    (tmp_path / "templates" / "plugin" / "weather.html").write_text("<p>Forecast: {{ data.forecast }}</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path / "templates"]}]
    register_home_widget(
        HomeWidget("weather", "Weather", "plugin/weather.html", 35, lambda request: {"forecast": "<b>sun"})
    )
    yield
    registry._HOME_WIDGETS.pop("weather")


def test_home_renders_each_registered_widget_in_order_with_its_data(client, alice, plugin_widget):
    client.force_login(alice)
    page = client.get("/").content.decode()
    headings = [part.split("</h2>")[0].split(">")[-1] for part in page.split('<h2 id="widget-')[1:]]
    assert headings == [
        "Owned by me",
        "Starred",
        "Recently visited",
        "Weather",
        "Quick links",
        "What the catalog holds",
    ]
    assert "<p>Forecast: &lt;b&gt;sun</p>" in widget_html(page, "weather")  # data is escaped like any text


def test_owned_by_me_lists_what_my_teams_own_and_links_to_the_filter(client, alice, people_catalog):
    client.force_login(alice)
    owned = widget_html(client.get("/").content.decode(), "owned")
    assert "Web shop" in owned and "orders" not in owned
    assert 'href="/catalog/?owned=me"' in owned and "All 1 owned" in owned


def test_owned_by_me_explains_an_account_without_a_user_entity(client, carol, people_catalog):
    client.force_login(carol)
    owned = widget_html(client.get("/").content.decode(), "owned")
    assert "matches no User entity" in owned and "carol" in owned and "spec.profile.email" in owned


def test_starred_and_recently_visited_show_my_entities(client, alice, bob, people_catalog):
    Star.objects.create(user=alice, entity_ref="api:default/orders-api")
    Star.objects.create(user=bob, entity_ref="component:default/orders")
    Star.objects.create(user=alice, entity_ref="component:default/gone")  # no longer in the catalog
    client.force_login(alice)
    client.get("/catalog/component/default/orders/")
    page = client.get("/").content.decode()
    starred, recent = widget_html(page, "starred"), widget_html(page, "recent")
    assert "orders-api" in starred and "/catalog/component/default/orders/" not in starred and "gone" not in starred
    assert 'href="/catalog/?starred=true"' in starred
    assert "/catalog/component/default/orders/" in recent


def test_anonymous_home_invites_to_sign_in(client, people_catalog):
    page = client.get("/").content.decode()
    assert "to see what you and your teams own" in widget_html(page, "owned")
    assert "Component" in widget_html(page, "catalog-summary")


def test_empty_catalog_points_to_the_register_page(client, alice):
    client.force_login(alice)
    summary = widget_html(client.get("/").content.decode(), "catalog-summary")
    assert "The catalog is empty" in summary and 'href="/catalog/register/"' in summary


def test_quick_links_link_the_register_page(client, alice):
    client.force_login(alice)
    assert 'href="/catalog/register/"' in widget_html(client.get("/").content.decode(), "quick-links")


def test_home_query_count_does_not_grow_with_items(client, alice, people_catalog, starred_components):
    client.force_login(alice)
    counts = []
    for size in (4, 8):
        refs = starred_components(alice, size, f"s{size}")
        session = client.session
        session[SESSION_KEY] = refs
        session.save()
        client.get("/")  # warm the identity and count caches
        with CaptureQueriesContext(connection) as queries:
            page = client.get("/").content.decode()
        stars = Star.objects.filter(user=alice).count()
        assert widget_html(page, "starred").count("<li>") == min(stars, SHOWN)
        assert widget_html(page, "recent").count("<li>") == size
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_home_query_count_is_pinned(client, alice, people_catalog, django_assert_num_queries):
    Star.objects.create(user=alice, entity_ref="component:default/web")
    client.force_login(alice)
    client.get("/catalog/component/default/web/")
    client.get("/")
    # session, user, owned (entities), starred, recent, quick links (2); the summary is cached
    with django_assert_num_queries(7):
        client.get("/")

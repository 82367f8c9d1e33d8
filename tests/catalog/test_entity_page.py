"""The entity page: tabs and cards from the registry, the overview's cards, group and user pages."""

from __future__ import annotations

import pytest

from catalog.lookups import related as related_module
from catalog.lookups.ownership import owner_lookup
from catalog.services import refresh_location
from portal.registry import EntityCard, EntityTab, register_entity_card, register_entity_tab, restored_registry
from tests.catalog.conftest import load_catalog_file
from tests.catalog.entity_page_catalog import ENTITY_PAGE_CATALOG, provided_apis

pytestmark = pytest.mark.django_db

WEB = "/catalog/component/default/web/"


@pytest.fixture
def shop(write_file):
    return load_catalog_file(write_file, "shop.yaml", ENTITY_PAGE_CATALOG)


def card_html(page: str, key: str) -> str:
    """The HTML of one card, from its heading to the end of its section."""
    assert f'id="card-{key}-title"' in page, f"no {key} card on the page"
    return page.split(f'id="card-{key}-title"')[1].split("</section>")[0]


def card_keys(page: str) -> list[str]:
    return [chunk.split('"')[0] for chunk in page.split('<section class="card entity-card" id="card-')[1:]]


def get_page(reader, url: str) -> str:
    response = reader.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- tabs ------------------------------------------------------------------------------------------


def test_overview_is_the_landing_tab_and_marked_current(reader, shop):
    page = get_page(reader, WEB)
    nav = page.split('<nav class="tabs"')[1].split("</nav>")[0]
    assert f'<a href="{WEB}" aria-current="page">Overview</a>' in nav
    assert f'<a href="{WEB}history/">History</a>' in nav


def test_history_tab_has_its_own_url_and_no_overview_cards(reader, shop):
    page = get_page(reader, f"{WEB}history/")
    assert f'<a href="{WEB}history/" aria-current="page">History</a>' in page
    assert 'id="history-heading"' in page and card_keys(page) == []
    assert "<title>Web shop · History · Greenroom</title>" in page


def test_overview_tab_url_redirects_to_the_entity_url(reader, shop):
    response = reader.get(f"{WEB}overview/")
    assert response.status_code == 301 and response["Location"] == WEB


@pytest.mark.parametrize("tab", ["nothing", "History", "definition", "..", "%3Cscript%3E", "a b", "history/extra"])
def test_unknown_or_malformed_tab_is_404(reader, shop, tab):
    assert reader.get(f"{WEB}{tab}/").status_code == 404


def test_tab_of_unknown_entity_is_404(reader, shop):
    assert reader.get("/catalog/component/default/nothing/history/").status_code == 404


def test_tab_that_does_not_apply_to_the_entity_is_404(reader, shop):
    with restored_registry():
        register_entity_tab(
            EntityTab("definition", "Definition", "catalog/tabs/overview.html", applies_to=lambda e: e.kind == "API")
        )
        assert reader.get(f"{WEB}definition/").status_code == 404
        page = get_page(reader, "/catalog/api/default/orders-api/definition/")
        assert 'aria-current="page">Definition</a>' in page
        assert ">Definition</a>" not in get_page(reader, WEB)


def test_only_the_active_tab_and_its_cards_get_their_context(reader, shop):
    calls = []

    def remember(name):
        def context(request, entity):
            calls.append((name, entity.ref))
            return {"value": f"<{name}>"}

        return context

    with restored_registry():
        register_entity_tab(
            EntityTab("extra", "Extra", "catalog/tabs/overview.html", order=50, context=remember("tab"))
        )
        register_entity_card(
            EntityCard(
                "extra-card", "Extra card", "catalog/cards/relations.html", tab="extra", context=remember("card")
            )
        )
        get_page(reader, WEB)
        assert calls == []
        page = get_page(reader, f"{WEB}extra/")
    assert calls == [("tab", "component:default/web"), ("card", "component:default/web")]
    assert card_keys(page) == ["extra-card"]


def test_tab_and_card_templates_see_data_card_and_page_context(reader, shop, tmp_path, settings):
    templates = tmp_path / "templates"
    (templates / "probe").mkdir(parents=True)
    (templates / "probe" / "tab.html").write_text(
        "<p id=tab-probe>{{ data.value }} {{ entity.ref }} {{ spec.type }}</p>"
    )
    (templates / "probe" / "card.html").write_text(
        "<p id=card-probe>{{ data.value }} {{ card.key }} {{ metadata.name }} {{ relations|length }} "
        "{{ request.path }}</p>"
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [templates, *settings.TEMPLATES[0]["DIRS"]]}]
    with restored_registry():
        register_entity_tab(EntityTab("probe", "Probe", "probe/tab.html", context=lambda r, e: {"value": "tab-data"}))
        register_entity_card(
            EntityCard("probe", "Probe", "probe/card.html", tab="probe", context=lambda r, e: {"value": "<card>"})
        )
        page = get_page(reader, f"{WEB}probe/")
    assert "<p id=tab-probe>tab-data component:default/web website</p>" in page
    assert f"<p id=card-probe>&lt;card&gt; probe web 5 {WEB}probe/</p>" in page


def test_tabs_and_cards_follow_their_order_then_key(reader, shop):
    with restored_registry():
        register_entity_tab(EntityTab("zeta", "Zeta", "catalog/tabs/overview.html", order=1))
        register_entity_tab(EntityTab("alpha", "Alpha", "catalog/tabs/overview.html", order=1))
        register_entity_card(EntityCard("first", "First", "catalog/cards/relations.html", order=1))
        register_entity_card(EntityCard("never", "Never", "catalog/cards/relations.html", applies_to=lambda e: False))
        page = get_page(reader, WEB)
    nav = page.split('<nav class="tabs"')[1].split("</nav>")[0]
    labels = [label.split("<")[0] for label in nav.split('">')[2:]]
    assert labels == ["Overview", "Alpha", "Zeta", "Docs", "Relations", "Dependencies", "History"]
    keys = card_keys(page)
    assert keys[0] == "first" and "never" not in keys


def test_registry_is_restored_after_a_test_registers(reader, shop):
    assert ">Alpha</a>" not in get_page(reader, WEB)


# --- header and overview cards -------------------------------------------------------------------


def test_header_shows_kind_type_title_owner_and_banners(reader, shop):
    page = get_page(reader, WEB)
    header = page.split('<header class="entity-header">')[1].split("</header>")[0]
    assert "Component · website" in header and "<h1><bdi>Web shop</bdi></h1>" in header
    assert 'Owner: <bdi><a href="/catalog/group/default/team-a/">Team A</a></bdi>' in header
    assert "catalog/partials/entity_header_actions.html" not in header  # included, not printed
    assert "Deprecated: plan to move away from it." in page


def test_overview_cards_of_a_component(reader, shop):
    assert card_keys(get_page(reader, WEB)) == [
        "about",
        "owner",
        "links",
        "subcomponents",
        "provided-apis",
        "consumed-apis",
        "dependents",
        "relations",
    ]


def test_about_card_names_owner_system_type_lifecycle_tags_and_docs(reader, shop):
    about = card_html(get_page(reader, WEB), "about")
    assert '<a href="/catalog/group/default/team-a/">Team A</a>' in about
    assert '<a href="/catalog/system/default/shop/">Shop</a>' in about
    assert "<dd>website</dd>" in about and "<dd>deprecated</dd>" in about
    assert '<a class="chip" href="/catalog/?tag=python">python</a>' in about
    assert '<a href="https://git.example.com/shop/web/" rel="noopener noreferrer">Source location</a>' in about
    assert '<a href="/docs/default/component/web/">View docs</a>' in about


def test_description_html_is_escaped(reader, shop):
    about = card_html(get_page(reader, WEB), "about")
    assert "Sells &lt;b&gt;bikes&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt;" in about
    assert "<script>alert" not in get_page(reader, WEB)


def test_hostile_link_and_annotation_urls_are_not_linked(reader, shop):
    page = get_page(reader, WEB)
    links = card_html(page, "links")
    assert '<a href="https://grafana.example.com/web" rel="noopener noreferrer"><bdi>Dashboard</bdi></a>' in links
    assert '<bdi>Sneaky</bdi> <span class="muted">(not a web link: javascript:alert(1))</span>' in links
    assert 'href="javascript:' not in page and 'href="data:' not in page
    assert "View source" not in card_html(page, "about")  # the data: view-url


@pytest.mark.parametrize(
    "value",
    ["javascript:alert(1)", " JavaScript:alert(1)", "java\tscript:alert(1)", "data:text/html,x", "//evil.example/x"],
)
def test_hostile_source_annotations_stored_anyhow_are_not_linked(reader, shop, value):
    from catalog.models import Entity

    entity = Entity.objects.get(ref="component:default/web")
    annotations = entity.body["metadata"]["annotations"]
    for key in ("backstage.io/view-url", "backstage.io/edit-url", "backstage.io/source-location"):
        annotations[key] = value
    entity.body["metadata"]["links"] = [{"url": value, "title": "Hostile"}]
    entity.save(update_fields=["body"])
    page = get_page(reader, WEB)
    assert "View source" not in page and "Source location" not in page and ">Edit</a>" not in page
    assert '<a href="' + value not in page and 'href=" ' not in page


def test_provided_and_consumed_apis_show_type_and_owner(reader, shop):
    page = get_page(reader, WEB)
    provided = card_html(page, "provided-apis")
    assert '<a href="/catalog/api/default/orders-api/">Orders API</a>' in provided
    assert "<td>openapi</td>" in provided and '<a href="/catalog/group/default/team-a/">team-a</a>' in provided
    consumed = card_html(page, "consumed-apis")
    assert "<td>grpc</td>" in consumed and '<a href="/catalog/group/default/org/">org</a>' in consumed
    assert '<bdi>api:default/ghost-api</bdi> <span class="muted">(not in the catalog)</span>' in consumed


def test_subcomponents_card_lists_parts_of_a_component(reader, shop):
    subcomponents = card_html(get_page(reader, WEB), "subcomponents")
    assert "/catalog/component/default/web-cart/" in subcomponents and "The cart inside" in subcomponents
    about = card_html(get_page(reader, "/catalog/component/default/web-cart/"), "about")
    assert '<dt>Part of</dt><dd><bdi><a href="/catalog/component/default/web/">Web shop</a></bdi>' in about


def test_system_page_lists_its_parts_by_kind(reader, shop):
    page = get_page(reader, "/catalog/system/default/shop/")
    parts = card_html(page, "system-parts")
    assert [heading.split(" <")[0] for heading in parts.split("<h3>")[1:]] == ["Components", "APIs", "Resources"]
    assert "/catalog/component/default/web-cart/" in parts and "/catalog/resource/default/shop-db/" in parts
    domain = '<dt>Domain</dt><dd><bdi><a href="/catalog/domain/default/commerce/">Commerce</a></bdi>'
    assert domain in card_html(page, "about")


def test_domain_page_lists_its_systems(reader, shop):
    parts = card_html(get_page(reader, "/catalog/domain/default/commerce/"), "domain-parts")
    assert "<h3>Systems" in parts and '<a href="/catalog/system/default/shop/">Shop</a>' in parts


def test_owner_card_and_dependents_on_the_overview(reader, shop):
    page = get_page(reader, "/catalog/api/default/payments-api/")
    assert '<strong><bdi><a href="/catalog/group/default/org/">The Org</a></bdi></strong>' in card_html(page, "owner")
    assert "/catalog/component/default/web/" in card_html(page, "dependents")


def test_owner_card_follows_a_change_of_owner(reader, shop, write_file, django_capture_on_commit_callbacks):
    assert "The Org" in card_html(get_page(reader, "/catalog/api/default/payments-api/"), "owner")  # now cached
    moved = ENTITY_PAGE_CATALOG.replace(
        "spec: {type: grpc, lifecycle: production, owner: org,",
        "spec: {type: grpc, lifecycle: production, owner: team-a,",
    )
    assert moved != ENTITY_PAGE_CATALOG
    with django_capture_on_commit_callbacks(execute=True):
        write_file("shop.yaml", moved)
        refresh_location(shop)
    owner = card_html(get_page(reader, "/catalog/api/default/payments-api/"), "owner")
    assert "/catalog/group/default/team-a/" in owner and "The Org" not in owner


# --- group and user pages --------------------------------------------------------------------------


def test_group_page_cards(reader, shop):
    page = get_page(reader, "/catalog/group/default/team-a/")
    assert card_keys(page) == ["about", "contacts", "members", "hierarchy", "owned", "relations"]
    contacts = card_html(page, "contacts")
    assert '<a href="mailto:team-a@example.com">team-a@example.com</a>' in contacts
    assert (
        '<dt title="slack.com/channel">Slack</dt><dd><span title="slack.com/channel"><bdi>team-a-chat</bdi></span></dd>'
        in contacts
    )
    members = card_html(page, "members")
    assert '<a href="/catalog/user/default/ana/">Ana Lima</a>' in members and "ana@example.com" in members
    hierarchy = card_html(page, "hierarchy")
    assert '<dt>Parent</dt><dd><bdi><a href="/catalog/group/default/org/">The Org</a></bdi>' in hierarchy
    owned = card_html(page, "owned")
    for ref in (
        "component/default/web/",
        "api/default/orders-api/",
        "system/default/shop/",
        "domain/default/commerce/",
    ):
        assert f"/catalog/{ref}" in owned
    assert "/catalog/component/default/web-cart/" not in owned  # ana owns it
    assert 'href="/catalog/?owner=group%3Adefault%2Fteam-a"' in owned


def test_owned_entities_are_capped_with_a_link_to_the_explorer(reader, shop, monkeypatch):
    monkeypatch.setattr(related_module, "RELATED_CAP", 2)
    owned = card_html(get_page(reader, "/catalog/group/default/team-a/"), "owned")
    assert owned.count("<tr>") == 3  # the head and two rows
    assert "Showing 2 of 5." in owned
    assert '<a href="/catalog/?owner=group%3Adefault%2Fteam-a">See all in the explorer</a>' in owned


def test_explorer_link_of_owned_entities_filters_by_that_owner(reader, shop):
    page = get_page(reader, "/catalog/?owner=group%3Adefault%2Fteam-a")
    assert "5 entities" in page


def test_user_page_cards(reader, shop):
    page = get_page(reader, "/catalog/user/default/ana/")
    assert card_keys(page) == ["about", "contacts", "groups", "owned", "relations"]
    assert '<a href="mailto:ana@example.com">ana@example.com</a>' in card_html(page, "contacts")
    assert '<a href="/catalog/group/default/team-a/">Team A</a>' in card_html(page, "groups")
    assert "/catalog/component/default/web-cart/" in card_html(page, "owned")


# --- query counts ----------------------------------------------------------------------------------

# Anonymous read, no session: the entity, the related batch, then the owner lookup's reads (the
# summaries with owners, the group's members and parents, the people, the owner in full, and one
# for the whole dependents walk), or the history. On a cold cache, two more: the Tech Radar's Hold
# entries, which decide its warning card, and Soundcheck's track filters, which decide its tab
# (people and groups never get either, so they never pay for them).
QUERY_COUNTS = {
    "/catalog/component/default/web/": 9,
    "/catalog/component/default/web/history/": 4,
    "/catalog/api/default/orders-api/": 9,
    "/catalog/system/default/shop/": 9,
    "/catalog/domain/default/commerce/": 9,
    "/catalog/group/default/team-a/": 2,
    "/catalog/user/default/ana/": 2,
}


@pytest.mark.parametrize(("url", "count"), QUERY_COUNTS.items())
def test_entity_page_query_count(reader, shop, django_assert_num_queries, url, count):
    with django_assert_num_queries(count):
        assert reader.get(url).status_code == 200


@pytest.mark.parametrize("size", [3, 30])
def test_query_count_does_not_grow_with_related_entities(
    reader, shop, write_file, django_assert_num_queries, size, monkeypatch
):
    load_catalog_file(write_file, f"hub{size}.yaml", provided_apis(size))
    page = get_page(reader, "/catalog/component/default/hub/")
    assert card_html(page, "provided-apis").count("<tr>") == size + 1
    # The first request warmed the caches of the Hold index, of Soundcheck's track filters and of
    # the owner lookup (kept until the catalog changes): what is left is the entity and its relations.
    with django_assert_num_queries(2):
        reader.get("/catalog/component/default/hub/")
    # Computed afresh, the owner lookup's queries do not grow with the related entities either.
    monkeypatch.setattr(
        "catalog.entity_cards.cached_owner_lookup", lambda entity, **bounds: owner_lookup(entity, **bounds)
    )
    with django_assert_num_queries(QUERY_COUNTS["/catalog/component/default/web/"] - 2):
        reader.get("/catalog/component/default/hub/")
    with django_assert_num_queries(2):
        reader.get("/catalog/group/default/team-a/")


def test_relations_card_shows_the_first_twenty_targets_of_each_type(reader, shop, write_file):
    load_catalog_file(write_file, "hub.yaml", provided_apis(23))
    relations = card_html(get_page(reader, "/catalog/component/default/hub/"), "relations")
    assert "/catalog/api/default/api-019/" in relations and "/catalog/api/default/api-020/" not in relations
    assert '<span class="muted">and 3 more</span>' in relations

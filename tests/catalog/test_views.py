"""The catalog's pages: explorer, entity page and owner lookup (search: tests/search)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.services import refresh_location, register_location, validate_location_spec
from tests.catalog.api_fixtures import CATALOG, components

pytestmark = pytest.mark.django_db


def test_pages_need_sign_in_unless_anonymous_read(client, catalog):
    response = client.get("/catalog/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_explorer_lists_and_filters_from_the_url(reader, catalog):
    page = reader.get("/catalog/", {"kind": "Component", "lifecycle": "production"}).content.decode()
    assert "Web shop" in page and "orders" not in page.split("<tbody>")[1]
    assert "2 entities" in reader.get("/catalog/", {"kind": "component"}).content.decode()


def test_explorer_filters_by_owner_text_and_tag(reader, catalog):
    assert "1 entity" in reader.get("/catalog/", {"owner": "team-a", "kind": "component"}).content.decode()
    assert "1 entity" in reader.get("/catalog/", {"q": "web sh"}).content.decode()
    assert "1 entity" in reader.get("/catalog/", {"tag": "java"}).content.decode()


def test_htmx_request_gets_only_the_table(reader, catalog):
    response = reader.get("/catalog/", {"kind": "API"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and "orders-api" in body
    assert "HX-Request" in response["Vary"]


def test_explorer_query_count_does_not_grow_with_rows(reader, write_file):
    counts = []
    for size in (10, 30):
        location = register_location(
            validate_location_spec("file", str(write_file(f"c{size}.yaml", components(size, f"s{size}")))), trusted=True
        )
        refresh_location(location)
        reader.get("/catalog/")  # warm the facet cache
        with CaptureQueriesContext(connection) as queries:
            assert reader.get("/catalog/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_entity_page_shows_owner_relations_and_dependents(reader, catalog):
    page = reader.get("/catalog/component/default/orders/").content.decode()
    assert "Owner" in page and "team-b" in page
    assert "providesApi" in page and "orders-api" in page
    assert "If this fails, what else fails" in page


def test_entity_page_of_unknown_entity_is_404(reader, catalog):
    assert reader.get("/catalog/component/default/nothing/").status_code == 404


def test_entity_page_shows_processing_errors(reader, catalog, write_file):
    write_file("catalog.yaml", CATALOG.replace("type: website, ", ""))
    refresh_location(catalog)
    page = reader.get("/catalog/component/default/web/").content.decode()
    assert "Processing errors" in page and "spec.type" in page


def test_whois_page_finds_by_name(reader, catalog):
    page = reader.get("/whois/", {"q": "orders-api"}).content.decode()
    assert "team-b" in page and "If this fails" in page
    assert "Nothing in the catalog is called" in reader.get("/whois/", {"q": "zzz"}).content.decode()


def test_whois_command(catalog):
    out = StringIO()
    call_command("whois", "orders", stdout=out)
    text = out.getvalue()
    assert text.startswith("component:default/orders")
    # team-b owns it but is not in this catalog, so the lookup says so instead of inventing contacts.
    assert "owner:    none (its owner group:default/team-b is not in the catalog)" in text
    assert "1 hop  api:default/orders-api" in text
    with pytest.raises(CommandError, match="nothing in the catalog"):
        call_command("whois", "zzz-nothing", stdout=StringIO())


def test_sidebar_comes_from_the_registry(reader, catalog):
    page = reader.get("/").content.decode()
    for label in ("Home", "Catalog", "APIs", "Who owns it?"):
        assert f">{label}</a>" in page


def test_entity_page_shows_history_with_diffs(reader, catalog, write_file):
    write_file(
        "catalog.yaml",
        CATALOG.replace("owner: team-a, system: shop, consumesApis", "owner: team-c, system: shop, consumesApis"),
    )
    refresh_location(catalog)
    assert 'id="history-heading"' not in reader.get("/catalog/component/default/web/").content.decode()
    page = reader.get("/catalog/component/default/web/history/").content.decode()
    history = page.split('id="history-heading"')[1]
    assert "updated" in history and "created" in history
    assert "<code>spec.owner</code> replace" in history and "team-a" in history and "team-c" in history


def test_group_page_names_members_and_what_it_owns(reader, catalog):
    page = reader.get("/catalog/group/default/team-a/").content.decode()
    owned = page.split('id="card-owned-title"')[1]
    assert "/catalog/component/default/web/" in owned and "/catalog/component/default/orders/" not in owned


@pytest.mark.parametrize("sort", ["name", "-name", "kind", "-kind"])
def test_pages_cover_every_entity_once_in_order(reader, write_file, sort):
    import re

    # Names repeat across namespaces, so only the ref tie-break keeps page boundaries stable.
    text = components(60, "svc") + components(45, "svc").replace("metadata: {", "metadata: {namespace: other, ")
    refresh_location(
        register_location(validate_location_spec("file", str(write_file("many.yaml", text))), trusted=True)
    )
    seen = []
    for number in (1, 2, 3):
        page = reader.get("/catalog/", {"kind": "component", "sort": sort, "page": number}).content.decode()
        body = page.split("<tbody>")[1].split("</tbody>")[0]
        seen += re.findall(r'href="/catalog/component/([^/]+/[^/]+)/"', body)
    assert len(seen) == len(set(seen)) == 105
    keys = [(name, namespace) for namespace, name in (item.split("/") for item in seen)]
    expected = sorted(keys, reverse=sort.startswith("-"))
    assert keys == expected

"""The APIs page and the Explore page: grouping, filters, sizes, and query counts that do not grow."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.services import refresh_location, register_location, validate_location_spec
from tests.catalog.api_fixtures import CLIENT_CATALOG

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(client, settings):
    settings.API_ANONYMOUS_READ = True
    return client


def load(write_file, name: str, text: str) -> None:
    refresh_location(register_location(validate_location_spec("file", str(write_file(name, text))), trusted=True))


@pytest.fixture
def org(write_file):
    load(write_file, "org.yaml", CLIENT_CATALOG)


def apis(count: int, prefix: str, spec_type: str = "openapi") -> str:
    return "".join(
        f"---\napiVersion: backstage.io/v1alpha1\nkind: API\n"
        f"metadata: {{name: {prefix}-{index:03d}, description: API {index}}}\n"
        f"spec: {{type: {spec_type}, lifecycle: production, owner: team-a, system: shop,"
        " definition: 'openapi: 3.0.0'}\n"
        for index in range(count)
    )


def queries_for(client, url: str, params: dict) -> int:
    client.get(url, params)  # warm the cached counts
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


def test_apis_page_needs_sign_in_unless_anonymous_read(client, org):
    assert client.get("/apis/").status_code == 302


def test_apis_page_lists_apis_with_owner_system_and_type_counts(reader, org):
    page = reader.get("/apis/").content.decode()
    table = page.split("<tbody>")[1]
    assert "orders-api" in table and "payments-api" in table and "web" not in table
    assert 'href="/catalog/group/default/team-b/"' in table and 'href="/catalog/system/default/shop/"' in table
    assert 'OpenAPI <span class="count">1</span>' in page and 'gRPC <span class="count">1</span>' in page
    assert 'All <span class="count">2</span>' in page


def test_apis_page_filters_by_type_and_text(reader, org):
    table = reader.get("/apis/", {"type": "grpc"}).content.decode().split("<tbody>")[1]
    assert "payments-api" in table and "orders-api" not in table
    table = reader.get("/apis/", {"q": "orders"}).content.decode().split("<tbody>")[1]
    assert "orders-api" in table and "payments-api" not in table
    assert "No API matches" in reader.get("/apis/", {"type": "graphql"}).content.decode()


def test_apis_page_other_tab_holds_unlisted_types(reader, org, write_file):
    load(write_file, "soap.yaml", apis(1, "legacy", "soap"))
    table = reader.get("/apis/", {"type": "other"}).content.decode().split("<tbody>")[1]
    assert "legacy-000" in table and "orders-api" not in table


def test_apis_page_ignores_unknown_type_and_bad_page(reader, org):
    response = reader.get("/apis/", {"type": "<script>", "page": "x"})
    assert response.status_code == 200 and "<script>" not in response.content.decode()


def test_apis_htmx_request_gets_only_the_table(reader, org):
    response = reader.get("/apis/", {"q": "pay"}, HTTP_HX_REQUEST="true")
    assert "<html" not in response.content.decode() and "payments-api" in response.content.decode()
    assert "HX-Request" in response["Vary"]


def test_apis_page_query_count_does_not_grow_with_rows(reader, org, write_file):
    load(write_file, "a.yaml", apis(5, "small"))
    small = queries_for(reader, "/apis/", {})
    load(write_file, "b.yaml", apis(40, "large"))
    large = queries_for(reader, "/apis/", {})
    assert small == large
    assert queries_for(reader, "/apis/", {"type": "openapi", "q": "l"}) == small


def test_sidebar_links_to_apis_and_explore(reader, org):
    page = reader.get("/apis/").content.decode()
    assert '<a href="/apis/" aria-current="page">APIs</a>' in page and '<a href="/explore/">Explore</a>' in page


def test_explore_shows_domains_with_owner_and_system_count(reader, org):
    page = reader.get("/explore/").content.decode()
    card = page.split('class="card explore-card"')[1]
    assert "commerce" in card and 'href="/catalog/group/default/team-a/"' in card
    assert "<dt>Systems</dt><dd>2</dd>" in card


def test_explore_systems_count_components_apis_and_resources(reader, org):
    page = reader.get("/explore/", {"section": "systems"}).content.decode()
    payments, shop = page.split('class="card explore-card"')[1:]
    assert "<dt>Components</dt><dd>2</dd><dt>APIs</dt><dd>1</dd><dt>Resources</dt><dd>0</dd>" in payments
    assert "<dt>Components</dt><dd>2</dd><dt>APIs</dt><dd>1</dd><dt>Resources</dt><dd>1</dd>" in shop


def test_explore_teams_count_members_once_and_owned_entities(reader, org, write_file):
    # cleo is a member of team-c twice over: by her memberOf and by the group's members list.
    load(
        write_file,
        "extra.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: team-c}\n"
        "spec: {type: team, children: [], members: [ana, cleo]}\n"
        "---\napiVersion: backstage.io/v1alpha1\nkind: User\nmetadata: {name: cleo}\nspec: {memberOf: [team-c]}\n",
    )
    page = reader.get("/explore/", {"section": "groups"}).content.decode()
    chunks = page.split('class="card explore-card"')[1:]
    cards = {chunk.split("</bdi></a>")[0].rsplit(">", 1)[1]: chunk for chunk in chunks}
    assert "<dt>Members</dt><dd>2</dd><dt>Owned entities</dt><dd>0</dd>" in cards["team-c"]
    assert "<dt>Members</dt><dd>1</dd><dt>Owned entities</dt><dd>4</dd>" in cards["team-a"]


def test_explore_text_filter_and_section_counts(reader, org):
    page = reader.get("/explore/", {"section": "systems", "q": "pay"}).content.decode()
    assert page.count('class="card explore-card"') == 1 and "payments" in page
    assert 'Systems <span class="count">1</span>' in page and 'Domains <span class="count">0</span>' in page


def test_explore_unknown_section_falls_back_to_domains(reader, org):
    assert "commerce" in reader.get("/explore/", {"section": "nope"}).content.decode()


@pytest.mark.parametrize("section", ["domains", "systems", "groups"])
def test_explore_query_count_does_not_grow_with_cards(reader, write_file, section):
    def org_of(count: int, prefix: str) -> str:
        return "".join(
            f"---\napiVersion: backstage.io/v1alpha1\nkind: Domain\nmetadata: {{name: {prefix}-d{i}}}\n"
            f"spec: {{owner: {prefix}-g{i}}}\n"
            f"---\napiVersion: backstage.io/v1alpha1\nkind: System\nmetadata: {{name: {prefix}-s{i}}}\n"
            f"spec: {{owner: {prefix}-g{i}, domain: {prefix}-d{i}}}\n"
            f"---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {{name: {prefix}-g{i}}}\n"
            f"spec: {{type: team, children: [], members: [u{i}]}}\n"
            for i in range(count)
        )

    load(write_file, "one.yaml", org_of(3, "a"))
    small = queries_for(reader, "/explore/", {"section": section})
    load(write_file, "two.yaml", org_of(30, "b"))
    assert queries_for(reader, "/explore/", {"section": section}) == small

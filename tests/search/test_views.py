"""The search page and the header box's suggestions."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.search.indexing import replace_documents
from tests.catalog.api_fixtures import components
from tests.search.conftest import load_catalog

pytestmark = pytest.mark.django_db


def test_search_page_needs_sign_in_unless_anonymous_read(client, search_catalog):
    response = client.get("/search/", {"q": "payment"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_search_page_without_text_only_invites_a_search(reader, search_catalog):
    with CaptureQueriesContext(connection) as queries:
        page = reader.get("/search/").content.decode()
    assert "Search the catalog, templates, people and documentation" in page
    assert not [query for query in queries if "portal_searchdocument" in query["sql"]]


def test_search_page_lists_ranked_results_with_facet_counts(reader, search_catalog):
    page = reader.get("/search/", {"q": "payment"}).content.decode()
    assert "4 results for “payment”" in page
    assert page.index('href="/catalog/component/default/payment/"') < page.index(
        'href="/catalog/api/default/payment-api/"'
    )
    assert "<mark>payment</mark>" in page.lower()
    assert '<bdi>team-payments</bdi> <span class="count">3</span>' in page
    assert '<bdi>Catalog</bdi> <span class="count">3</span>' in page


def test_facet_links_add_and_remove_a_filter(reader, search_catalog):
    page = reader.get("/search/", {"q": "payment", "kind": "API"}).content.decode()
    assert "1 result for" in page
    assert 'href="?q=payment"' in page  # the chosen facet's link clears it
    assert 'aria-pressed="true"' in page


def test_snippets_escape_the_text_before_marking(reader, search_catalog):
    page = reader.get("/search/", {"q": "storefront"}).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "The <mark>storefront</mark>" in page


def test_search_page_pages_through_results(reader, write_file):
    load_catalog(write_file, components(25, "svc"))
    first = reader.get("/search/", {"q": "svc"}).content.decode()
    second = reader.get("/search/", {"q": "svc", "page": "2"}).content.decode()
    assert "25 results" in first and "Page 1 of 2" in first and 'rel="next"' in first
    assert "Page 2 of 2" in second and 'rel="prev"' in second and second.count('class="result"') == 5
    assert reader.get("/search/", {"q": "svc", "page": "x"}).status_code == 200


def test_search_page_query_count_does_not_grow_with_results(reader, write_file):
    counts = []
    # Both fill the page (PostgreSQL reads fewer ranking groups for a page it fills early).
    for size in (25, 50):
        load_catalog(write_file, components(size, f"s{size}"), name=f"c{size}.yaml")
        with CaptureQueriesContext(connection) as queries:
            assert reader.get("/search/", {"q": f"s{size}"}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_too_long_text_is_a_clear_error(reader, search_catalog):
    response = reader.get("/search/", {"q": "x" * 201})
    assert response.status_code == 400
    assert "term: at most 200 characters" in response.content.decode()


@pytest.mark.parametrize("term", ['"', "NEAR(a b)", "a*", "-", "' OR 1=1 --", "<b>bold</b>", "%%%"])
def test_odd_text_never_breaks_the_page(reader, search_catalog, term):
    response = reader.get("/search/", {"q": term})
    assert response.status_code == 200
    assert "<b>bold</b>" not in response.content.decode()


def test_unknown_result_type_is_a_clear_error(reader, search_catalog):
    response = reader.get("/search/", {"q": "payment", "type": "secrets"})
    assert response.status_code == 400 and "types: unknown type" in response.content.decode()


def test_suggestions_put_entities_before_docs_pages_and_link_the_search_page(reader, search_catalog):
    replace_documents("techdocs", "component:default/ledger", [{"title": "Payment runbook", "location": "/docs/l/#r"}])
    body = reader.get("/search/suggest/", {"q": "paym"}).content.decode()
    assert body.index("/catalog/component/default/payment/") < body.index("/docs/l/#r")
    assert "Payment runbook" in body.replace("<mark>", "").replace("</mark>", "")
    assert 'href="/search/?q=paym"' in body and "See all results" in body


def test_suggestions_for_nothing_are_empty(reader, search_catalog):
    assert reader.get("/search/suggest/", {"q": "  "}).content.decode().strip() == ""
    assert "No quick matches" in reader.get("/search/suggest/", {"q": "zzzz"}).content.decode()
    assert reader.get("/search/suggest/", {"q": "x" * 5000}).status_code == 200


def test_suggestion_query_count_does_not_grow_with_matches(reader, write_file):
    counts = []
    for size in (10, 20):
        load_catalog(write_file, components(size, f"s{size}"), name=f"c{size}.yaml")
        with CaptureQueriesContext(connection) as queries:
            reader.get("/search/suggest/", {"q": f"s{size}"})
        counts.append(len([query for query in queries if "portal_searchdocument" in query["sql"]]))
    # SQLite: one statement per search (entities, docs pages) and one asking whether the words are
    # indexed (misspelt ones are searched as near terms); PostgreSQL: one per ranking group read.
    assert counts[0] == counts[1] and counts[0] == (3 if connection.vendor == "sqlite" else 7)

"""Ranking, prefixes, typos, facets, paging and hostile text, through the one results API."""

from __future__ import annotations

import pytest
from django.db import connection

from portal.search.backends import get_backend
from portal.search.indexing import replace_documents
from portal.search.query import MAX_WORDS, QueryError, build_query, words_of

pytestmark = pytest.mark.django_db


def search(term: str = "", types=(), filters=None, offset: int = 0, limit: int = 20):
    return get_backend().search(build_query(term, list(types), filters or {}), offset=offset, limit=limit)


def refs(page) -> list[str]:
    return [hit.source_ref for hit in page.hits]


def test_exact_name_match_comes_first(search_catalog):
    # "payment" is in several titles, tags and descriptions; the entity named so leads.
    assert refs(search("payment"))[0] == "component:default/payment"


def test_title_beats_description(search_catalog):
    # "gateway" is in the payment component's title and in the ledger's description.
    assert refs(search("gateway"))[:2] == ["component:default/payment", "component:default/ledger"]


def test_words_match_as_prefixes(search_catalog):
    assert refs(search("led")) == ["component:default/ledger"]
    assert "component:default/payment" in refs(search("paym gate"))


def test_all_words_must_match(search_catalog):
    assert refs(search("payment website")) == []
    assert refs(search("python ci")) == ["template:default/python-service"]


def test_people_are_found_by_display_name_and_email(search_catalog):
    assert refs(search("ana lima")) == ["user:default/ana"]
    assert refs(search("ana.lima@example.com")) == ["user:default/ana"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="typo tolerance is pg_trgm's; FTS5 has no fuzzy match")
def test_a_typo_still_finds_the_entity_on_postgresql(search_catalog):
    assert refs(search("ledgr"))[0] == "component:default/ledger"


def test_facets_count_the_matches_by_type_kind_owner_and_lifecycle(search_catalog):
    page = search("pay")
    assert page.total == 4
    assert dict(page.facets["type"]) == {"software-catalog": 3, "people": 1}
    assert dict(page.facets["kind"]) == {"Component": 2, "API": 1, "Group": 1}
    assert dict(page.facets["owner"]) == {"group:default/team-payments": 3}
    assert dict(page.facets["lifecycle"]) == {"production": 2, "experimental": 1}


def test_filters_narrow_results_and_counts(search_catalog):
    page = search("pay", types=["software-catalog"], filters={"kind": ["component"], "lifecycle": ["Production"]})
    assert refs(page) == ["component:default/payment"] and page.total == 1
    # Without words, results come by type, then title.
    assert refs(search("", filters={"owner": ["team-web"]})) == [
        "component:default/web-shop",
        "template:default/python-service",
    ]


def test_paging_walks_every_result_once(search_catalog):
    everything = refs(search("", limit=100))
    pages = [refs(search("", offset=offset, limit=3)) for offset in (0, 3, 6)]
    assert [ref for page in pages for ref in page] == everything and len(everything) == 7
    assert search("", offset=3, limit=3).total == 7


def test_docs_pages_are_found_with_their_anchor(search_catalog):
    replace_documents(
        "techdocs",
        "component:default/payment",
        [{"title": "Refunds", "location": "/docs/default/component/payment/#refunds", "text": "Send money back."}],
    )
    page = search("refunds", types=["techdocs"])
    assert [(hit.title, hit.location, hit.owner) for hit in page.hits] == [
        ("Refunds", "/docs/default/component/payment/#refunds", "group:default/team-payments")
    ]


@pytest.mark.parametrize(
    "term",
    [
        '"',
        "NEAR(payment ledger)",
        "payment*",
        "-payment",
        "payment OR 1=1",
        "'; DROP TABLE portal_searchdocument; --",
        "pay^ment:*",
        "col:payment",
        "\\x00\u0000",
        "((((",
        "🙂",
    ],
)
def test_hostile_text_is_searched_as_words(search_catalog, term):
    page = search(term)  # never raises
    assert page.total >= len(page.hits)
    assert search("payment").hits  # and the table is still there


def test_operator_words_are_plain_words(search_catalog):
    assert refs(search("payment OR ledger")) == []
    assert refs(search("payment*")) == refs(search("payment"))


def test_punctuation_only_matches_nothing(search_catalog):
    page = search("!!! ***")
    assert (page.hits, page.total) == ([], 0)


def test_query_limits():
    with pytest.raises(QueryError, match="term: at most 200 characters"):
        build_query("x" * 201, [], {})
    assert len(words_of(" ".join(f"w{index}" for index in range(30)))) == MAX_WORDS
    with pytest.raises(QueryError, match="types: unknown type 'nope'"):
        build_query("x", ["nope"], {})
    with pytest.raises(QueryError, match=r"filters\[colour\]: unknown filter"):
        build_query("x", [], {"colour": ["red"]})


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-scan page and facets are PostgreSQL's")
@pytest.mark.parametrize("term", ["pay", "payment", "web shop", "paymnet"])
def test_one_scan_search_answers_as_the_two_query_search(search_catalog, term):
    from portal.search.backends import Backend, PostgresBackend

    backend = PostgresBackend()
    for offset in (0, 2, 50):
        query = build_query(term, [], {})
        one_scan = backend.search(query, offset=offset, limit=2)
        two_queries = Backend.search(backend, query, offset=offset, limit=2)
        assert one_scan == two_queries


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-scan page and facets are PostgreSQL's")
def test_a_page_past_the_end_still_has_the_counts(search_catalog, django_assert_num_queries):
    with django_assert_num_queries(1):
        page = search("pay", offset=50)
    assert page.hits == [] and page.total == 4 and dict(page.facets["type"]) == {"software-catalog": 3, "people": 1}

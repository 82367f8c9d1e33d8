"""Ranking, prefixes, typos, facets, paging and hostile text, through the one results API."""

from __future__ import annotations

import pytest
from django.db import connection

from portal.search.backends import get_backend
from portal.search.indexing import replace_documents
from portal.search.query import MAX_WORDS, QueryError, build_query, words_of
from tests.search.conftest import load_catalog

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


TITLE_AGAINST_TEXT = """
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: notes, title: Notes, description: "%s"}
spec: {type: service, lifecycle: production, owner: team-a}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: twin-report, title: Alpha report for beta}
spec: {type: service, lifecycle: production, owner: team-a}
""" % ("alpha beta " * 20)
EXACT_TITLE = """
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: pair, title: Beta alpha}
spec: {type: service, lifecycle: production, owner: team-a}
"""


def test_title_matches_come_before_text_matches_however_often_the_text_repeats_them(write_file):
    # ts_rank alone put "notes" first: twenty close pairs in its text outscore one pair in a title.
    load_catalog(write_file, TITLE_AGAINST_TEXT)
    assert refs(search("alpha beta")) == ["component:default/twin-report", "component:default/notes"]


def test_an_exact_title_comes_before_titles_holding_the_words(write_file):
    load_catalog(write_file, TITLE_AGAINST_TEXT + EXACT_TITLE)
    assert refs(search("beta alpha")) == [
        "component:default/pair",
        "component:default/twin-report",
        "component:default/notes",
    ]


def test_has_more_says_whether_another_page_follows(search_catalog):
    assert [search("pay", offset=offset, limit=2).has_more for offset in (0, 2, 4)] == [True, False, False]
    assert search("pay", limit=2).total == 4


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the grouped page is PostgreSQL's")
@pytest.mark.parametrize("term", ["pay", "payment", "web shop", "paymnet", "ledgr", "gateway"])
def test_grouped_page_answers_as_ranking_every_match(search_catalog, term):
    from portal.search.backends import Backend, PostgresBackend

    backend = PostgresBackend()
    query = build_query(term, [], {})
    with connection.cursor() as cursor:
        everything, _ = Backend._page(backend, cursor, query, offset=0, limit=100)
    for offset in (0, 1, 2, 3, 50):
        page = backend.search(query, offset=offset, limit=2)
        assert page.hits == everything[offset : offset + 2]
        assert (page.has_more, page.total) == (len(everything) > offset + 2, len(everything))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the grouped page is PostgreSQL's")
def test_a_page_past_the_end_still_has_the_counts(search_catalog, django_assert_num_queries):
    # Four groups (exact, title, text, typo), each counting what it reads; no rows to read.
    with django_assert_num_queries(4):
        page = search("pay", offset=50)
    assert page.hits == [] and page.total == 4 and dict(page.facets["type"]) == {"software-catalog": 3, "people": 1}

"""Typos: near terms from the indexed vocabulary (SQLite's tolerance) and "Did you mean" (both)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from portal.search.backends import get_backend
from portal.search.indexing import replace_documents
from portal.search.query import build_query
from portal.search.spelling import allowed_typos, distance, is_known, nearest
from tests.search.conftest import committed

pytestmark = pytest.mark.django_db
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="the vocabulary table is SQLite's")


def search(term: str, limit: int = 20):
    return get_backend().search(build_query(term, [], {}), offset=0, limit=limit)


def refs(page) -> list[str]:
    return [hit.source_ref for hit in page.hits]


@pytest.mark.parametrize(
    ("word", "term", "edits"),
    [
        ("tripp", "trip", 1),
        ("servce", "service", 1),
        ("notfication", "notification", 1),
        ("ledgr", "ledger", 1),
        ("teh", "the", 1),
        ("paymnet", "payment", 1),
        ("pymnet", "payment", 2),
        ("ledger", "ledger", 0),
        ("abc", "xyz", 3),
    ],
)
def test_distance_counts_insertions_deletions_substitutions_and_swaps(word, term, edits):
    assert distance(word, term, 3) == edits


def test_distance_stops_above_the_limit():
    assert distance("kubernetes", "terraform", 2) == 3
    assert distance("a", "abcdef", 2) == 3


def test_short_words_are_never_corrected_and_long_ones_allow_two_typos():
    assert [allowed_typos(word) for word in ("ab", "abc", "abcd", "abcde", "notfication")] == [0, 1, 1, 2, 2]


def test_a_word_is_known_as_a_prefix_from_two_letters():
    assert is_known("trip", {"trip": 1, "planner": 1})
    assert is_known("pla", {"trip": 1, "planner": 1})
    assert not is_known("tripp", {"trip": 1})
    assert is_known("t", {"t": 1}) and not is_known("t", {"trip": 1})


def test_nearest_keeps_the_closest_terms_most_documents_first():
    terms = {"trip": 3, "tripe": 1, "grip": 9, "tulip": 5}
    assert nearest("tripp", terms, 2) == ["trip", "tripe"]
    assert nearest("zzzzz", terms, 2) == []


@sqlite_only
def test_a_typo_in_a_name_still_finds_the_entity_on_sqlite(search_catalog):
    assert refs(search("ledgr")) == ["component:default/ledger"]
    assert refs(search("paymnet gatway"))[0] == "component:default/payment"


@sqlite_only
def test_a_word_that_matches_as_typed_is_not_corrected(search_catalog):
    # "led" is the start of "ledger": a prefix while typing, not a typo of "lead" or "bed".
    assert refs(search("led")) == ["component:default/ledger"]
    assert get_backend().corrections(("led",)) == {}


@sqlite_only
def test_words_too_far_from_every_term_still_find_nothing(search_catalog):
    assert refs(search("xylophone")) == []
    assert refs(search("ledger xylophone")) == []


@sqlite_only
def test_the_vocabulary_follows_the_documents(search_catalog):
    page = {"title": "Kubernetes upgrades", "location": "/docs/default/component/ledger/k8s/", "text": "Drain first."}
    replace_documents("techdocs", "component:default/ledger", [page])
    assert refs(search("kubernetis")) == ["component:default/ledger"]
    assert get_backend().corrections(("kubernetis",)) == {"kubernetis": ["kubernetes"]}
    replace_documents("techdocs", "component:default/ledger", [])
    assert refs(search("kubernetis")) == []
    assert get_backend().corrections(("kubernetis",)) == {}


@pytest.fixture
def demo_catalog(db):
    with committed():
        call_command("load_demo", verbosity=0)


@sqlite_only
@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("tripp", "trip-"),
        ("notfication servce", "component:default/notification-service"),
        ("notification servce", "component:default/notification-service"),
    ],
)
def test_the_demo_catalog_forgives_one_or_two_typos_a_word(demo_catalog, term, expected):
    found = refs(search(term))
    assert found and expected in found[0]


def test_did_you_mean_on_the_demo_catalog_reaches_three_typos_on_either_database(demo_catalog):
    # Three edits from "notification": too far for the search, near enough for the suggestion.
    assert search("nootifucatoon").total == 0
    assert get_backend().did_you_mean(build_query("nootifucatoon", [], {})) == "notification"
    assert "component:default/notification-service" in refs(search("notification"))


def test_exact_words_rank_before_near_spellings(demo_catalog):
    # "trip" matches as typed; nothing found only as a near spelling of it ranks first.
    found = search("trip")
    assert found.hits and all("trip" in (hit.title + " " + hit.name).lower() for hit in found.hits[:3])


def test_did_you_mean_offers_indexed_words_that_find_something(search_catalog):
    # Three edits from "ledger": too far for the search itself, one looser for the suggestion.
    assert search("ledjarr gateway").total == 0
    assert get_backend().did_you_mean(build_query("ledjarr gateway", [], {})) == "ledger gateway"


def test_did_you_mean_is_empty_when_nothing_is_near(search_catalog):
    assert get_backend().did_you_mean(build_query("xylophone", [], {})) == ""


def test_search_page_links_the_suggestion_keeping_filters(reader, search_catalog):
    response = reader.get("/search/", {"q": "ledjarr gateway", "type": "software-catalog"})
    html = response.content.decode()
    assert "Did you mean" in html
    assert "?q=ledger+gateway&amp;type=software-catalog" in html
    assert "0 results" in html


def test_empty_facets_say_nothing(reader, search_catalog):
    html = reader.get("/search/", {"q": "xylophone"}).content.decode()
    assert "None" not in html
    assert 'id="facet-kind"' not in html


def test_a_facet_without_values_is_left_out_beside_the_others(reader, search_catalog):
    # A person has no lifecycle: that facet is absent, the result type facet is there.
    html = reader.get("/search/", {"q": "ana lima"}).content.decode()
    assert 'id="facet-type"' in html and 'id="facet-lifecycle"' not in html
    assert ">None<" not in html

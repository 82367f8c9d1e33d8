"""PostgreSQL's grouped ranking and estimated counts (``portal.search.postgres``)."""

from __future__ import annotations

import pytest
from django.db import connection
from rest_framework.test import APIClient

from portal.search import postgres
from portal.search.backends import get_backend
from portal.search.query import build_query
from tests.catalog.api_fixtures import components
from tests.search.conftest import SEARCH_CATALOG, load_catalog

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="grouped ranking is PostgreSQL's")

NEAR_LEDGER = """
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: xledger, title: Xledger}
spec: {type: service, lifecycle: production, owner: team-payments}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: ledgers, title: Ledgers}
spec: {type: service, lifecycle: production, owner: team-payments}
"""


def search(term: str, *, offset: int = 0, limit: int = 20):
    return get_backend().search(build_query(term, [], {}), offset=offset, limit=limit)


def refs(page) -> list[str]:
    return [hit.source_ref for hit in page.hits]


@pytest.fixture
def sampling_everything(monkeypatch):
    """Estimate counts for any search, from a 'sample' of every page: figures equal the exact ones."""
    monkeypatch.setattr(postgres, "ESTIMATE_FROM", 0)
    monkeypatch.setattr(postgres, "SAMPLE_PERCENT", 100.0)
    monkeypatch.setattr(postgres, "MIN_SAMPLED", 1)


@pytest.mark.parametrize(("count", "rounded"), [(0, 0), (99, 99), (100, 100), (23_431, 23_000), (1_250, 1_300)])
def test_estimates_keep_two_significant_figures(count, rounded):
    assert postgres.about(count) == rounded


@on_postgresql
def test_a_group_larger_than_a_window_pages_through_every_row_once(write_file, monkeypatch):
    monkeypatch.setattr(postgres, "RANK_WINDOW", 2)
    load_catalog(write_file, components(7, "svc"))
    pages = [search("svc", offset=offset, limit=3) for offset in (0, 3, 6)]
    seen = [ref for page in pages for ref in refs(page)]
    assert sorted(seen) == [f"component:default/svc-{index:03d}" for index in range(7)]
    assert [page.has_more for page in pages] == [True, True, False]
    assert {page.total for page in pages} == {7} and not any(page.is_estimate for page in pages)


@on_postgresql
def test_near_spellings_are_looked_for_only_when_the_words_match_few_rows(write_file, monkeypatch):
    load_catalog(write_file, SEARCH_CATALOG + NEAR_LEDGER)
    # The words match the ledger and the ledgers; a near spelling comes after them.
    assert refs(search("ledger")) == [
        "component:default/ledger",
        "component:default/ledgers",
        "component:default/xledger",
    ]
    monkeypatch.setattr(postgres, "TYPOS_BELOW", 2)
    page = search("ledger")
    assert refs(page) == ["component:default/ledger", "component:default/ledgers"] and page.total == 2


@on_postgresql
def test_at_most_a_window_of_near_spellings(write_file, monkeypatch):
    load_catalog(write_file, SEARCH_CATALOG + NEAR_LEDGER)
    assert refs(search("ledgr")) == ["component:default/ledger", "component:default/ledgers"]
    monkeypatch.setattr(postgres, "RANK_WINDOW", 1)
    page = search("ledgr")
    assert page.total == 1 and len(page.hits) == 1 and not page.has_more


@on_postgresql
def test_many_matches_are_counted_from_a_sample(search_catalog, sampling_everything):
    # One row of the page is enough to stop reading groups, so the counts come from the sample.
    page = search("pay", limit=1)
    assert page.is_estimate and page.total == 4 and page.has_more
    assert dict(page.facets["type"]) == {"software-catalog": 3, "people": 1}
    assert dict(page.facets["owner"]) == {"group:default/team-payments": 3}


@on_postgresql
def test_a_sample_with_too_few_matches_is_set_aside_for_exact_counts(search_catalog, sampling_everything, monkeypatch):
    monkeypatch.setattr(postgres, "MIN_SAMPLED", 1000)
    page = search("pay", limit=1)
    assert not page.is_estimate and page.total == 4
    assert dict(page.facets["kind"]) == {"Component": 2, "API": 1, "Group": 1}


@on_postgresql
def test_a_search_whose_groups_are_all_small_is_counted_exactly_without_more_statements(
    search_catalog, django_assert_num_queries
):
    # Exact, title, text and near-spelling groups, then the page's rows: the counts are the groups'.
    with django_assert_num_queries(5):
        page = search("pay")
    assert not page.is_estimate and page.total == 4 and len(page.hits) == 4


@on_postgresql
def test_the_search_page_says_when_counts_are_estimates(reader, write_file, sampling_everything):
    load_catalog(write_file, components(25, "svc"))
    page = reader.get("/search/", {"q": "svc"}).content.decode()
    assert "About 25 results for “svc”" in page and "Counts are estimated" in page
    assert '<bdi>Catalog</bdi> <span class="count">~25</span>' in page
    assert "Page 1 of about 2" in page and 'rel="next"' in page


@on_postgresql
def test_the_api_pages_by_hits_when_the_total_is_estimated(search_catalog, sampling_everything, settings):
    settings.API_ANONYMOUS_READ = True
    api = APIClient()
    first = api.get("/api/search/query", {"term": "pay", "pageLimit": 1}).json()
    assert first["numberOfResults"] == 4 and "nextPageCursor" in first


@on_postgresql
def test_the_title_index_serves_the_title_group(search_catalog):
    # TITLE_VECTOR must be the index's very expression, or the planner cannot use the index.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        where = f"{postgres.TITLE_VECTOR} @@ to_tsquery('simple', 'pay')"
        cursor.execute(f"EXPLAIN SELECT 1 FROM portal_searchdocument AS d WHERE {where}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "portal_search_title_vector" in plan


@on_postgresql
def test_the_migration_leaves_valid_indexes(search_catalog):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_index AS i JOIN pg_class AS c ON c.oid = i.indexrelid "
            "WHERE c.relname LIKE 'portal_search_%%' AND i.indisvalid ORDER BY c.relname"
        )
        names = [row[0] for row in cursor.fetchall()]
    assert {"portal_search_title_vector", "portal_search_name_lower", "portal_search_title_lower"} <= set(names)

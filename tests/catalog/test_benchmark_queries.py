"""The benchmark's query list: requests drawn from the sample, skips where data is absent, answer checks."""

from __future__ import annotations

import json
import random

import pytest

from benchmarks.catalog.http_load import Request, check_response
from benchmarks.catalog.queries import build_scenarios
from benchmarks.catalog.sample import CatalogSample


def _sample(components: int, **changes) -> CatalogSample:
    values = {
        "entities": round(components / 0.725),
        "components": components,
        "component_names": ["billing-api-0", "search-web-1", "ledger-lib-2"],
        "owners": ["team-a", "team-b"],
        "production_owners": {"team-a": 120, "team-b": 3},
        "tags": ["java", "python"],
        "name_words": ["billing", "ledger", "search"],
        "spec_types": ["service", "library"],
    }
    return CatalogSample(**(values | changes))


def _scenarios(sample: CatalogSample, count: int = 20):
    return {scenario.name: scenario for scenario in build_scenarios(sample, random.Random(1), count=count)}


def test_a_large_catalog_measures_every_query_and_walks_every_cursor_page():
    scenarios = _scenarios(_sample(72_500))

    assert [name for name, scenario in scenarios.items() if scenario.skipped] == []
    pages = {name: scenario.cursor.page for name, scenario in scenarios.items() if scenario.cursor}
    assert sorted(pages.values()) == [2, 2, 11, 11, 1000]
    assert all(len(scenario.requests) == 20 for scenario in scenarios.values() if not scenario.cursor)


def test_ownership_gaps_are_measured_with_and_without_a_gap_type_filter():
    scenarios = _scenarios(_sample(72_500))
    every = scenarios["ownership gaps, every gap type"]
    unresolved = scenarios["ownership gaps unresolved-owner, kind=component"]
    assert every.target_ms == unresolved.target_ms == 100.0
    assert every.requests[0].path == "/api/catalog/ownership-gaps?limit=50"
    assert "gapType=unresolved-owner&kind=component" in unresolved.requests[0].path
    assert {request.check for request in every.requests + unresolved.requests} == {"gaps"}


def test_pages_and_offsets_past_a_small_catalog_are_skipped_with_the_reason():
    scenarios = _scenarios(_sample(1_449))

    assert {name: scenario.skipped for name, scenario in scenarios.items() if scenario.skipped} == {
        "by-query kind=component, cursor page 1000": "only 29 pages of 50",
        "entities kind=component offset=5000": "only 1449 components",
    }


def test_requests_name_values_from_the_sample_and_vary_between_requests():
    scenarios = _scenarios(_sample(72_500), count=40)

    by_name = [request.path.rsplit("/", 1)[1] for request in scenarios["by-name"].requests]
    assert set(by_name) == {"billing-api-0", "search-web-1", "ledger-lib-2"}
    tags = {
        request.path.split("metadata.tags=")[1].split("&")[0]
        for request in scenarios["by-query metadata.tags=<tag>"].requests
    }
    assert tags == {"java", "python"}
    owner_pages = {request.path for request in scenarios["UI: catalog, owner + production"].requests}
    # team-a owns 120 production components (3 pages of 50), team-b 3 (1 page): no page past the last.
    assert owner_pages <= {
        f"/catalog/?kind=Component&owner=team-a&lifecycle=production&page={page}" for page in (1, 2, 3)
    } | {"/catalog/?kind=Component&owner=team-b&lifecycle=production&page=1"}
    assert len(owner_pages) > 1


def test_a_catalog_without_components_is_refused():
    with pytest.raises(ValueError, match="no components"):
        build_scenarios(_sample(0, component_names=[]), random.Random(1), count=5)


def test_a_query_without_matching_data_is_skipped_rather_than_timed_empty():
    scenarios = _scenarios(_sample(72_500, tags=[], spec_types=["library"]))

    assert scenarios["by-query metadata.tags=<tag>"].skipped == "no tags"
    assert scenarios["by-query kind=component,spec.type=service"].skipped == "no service components"


@pytest.mark.parametrize(
    ("status", "body", "request_", "problem"),
    [
        (404, b"{}", Request("/x", "entity", "a"), "status 404"),
        (200, b"<html>", Request("/x", "items"), "body is not JSON"),
        (200, json.dumps({"items": []}).encode(), Request("/x", "items"), "no items"),
        (200, json.dumps([]).encode(), Request("/x", "array"), "empty list"),
        (200, json.dumps({"facets": {"kind": []}}).encode(), Request("/x", "facets"), "no facet values"),
        (200, json.dumps({"metadata": {"name": "b"}}).encode(), Request("/x", "entity", "a"), "entity 'b', wanted 'a'"),
        (
            200,
            json.dumps({"entity": {"name": "b"}}).encode(),
            Request("/x", "owner", "a"),
            "owner lookup of another entity",
        ),
        (200, b"<html>nothing</html>", Request("/x", "html", "web-1"), "page lacks 'web-1'"),
        (200, json.dumps({"items": []}).encode(), Request("/x", "gaps"), "no ownership-gaps page"),
    ],
)
def test_an_answer_that_is_not_the_query_s_counts_as_an_error(status, body, request_, problem):
    assert check_response(status, body, request_) == problem


@pytest.mark.parametrize(
    ("body", "request_"),
    [
        (json.dumps({"items": [{"kind": "Component"}]}).encode(), Request("/x", "items")),
        (json.dumps({"items": []}).encode(), Request("/x", "page")),
        (json.dumps({"items": [], "counts": {"total": 0}}).encode(), Request("/x", "gaps")),
        (json.dumps({"metadata": {"name": "a"}}).encode(), Request("/x", "entity", "a")),
        (b"<a href='/catalog/component/default/web-1/'>", Request("/x", "html", "web-1")),
    ],
)
def test_a_real_answer_passes_its_check(body, request_):
    assert check_response(200, body, request_) is None


def test_an_unknown_check_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown check"):
        check_response(200, b"{}", Request("/x", "xml"))

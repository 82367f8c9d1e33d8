"""The API's routes come first in the URL configuration, and listing them first changed no route.

Django tries routes in order, so an API call resolved only after some 200 page patterns had been
tried. Moving the API up is safe only while no page pattern can match a path under ``/api/``:
otherwise that page would have answered the path before and the API answers it now.
"""

from __future__ import annotations

import re

from django.urls import URLPattern, URLResolver, get_resolver, resolve

API_PATHS = [
    "/api/catalog/entities",
    "/api/catalog/entities/by-query",
    "/api/catalog/entities/by-name/component/default/some-service",
    "/api/catalog/entity-facets",
    "/api/catalog/owners/component/default/some-service",
    "/api/scaffolder/v2/tasks",
    "/api/techdocs/static/docs/default/component/some-service/index.html",
    "/api/search/query",
    "/api/schema/",
    "/api/docs/",
]


def _leaf_regexes(patterns, prefix: str = "") -> list[tuple[str, re.Pattern[str]]]:
    """Every route as (its route text, one regex over the whole path), in the order Django tries them."""
    leaves = []
    for pattern in patterns:
        own = pattern.pattern.regex.pattern.removeprefix("^")
        if isinstance(pattern, URLResolver):
            leaves += _leaf_regexes(pattern.url_patterns, prefix + own)
        elif isinstance(pattern, URLPattern):
            leaves.append((str(pattern.pattern), re.compile("^" + prefix + own)))
    return leaves


def test_no_page_route_matches_an_api_path():
    pages = [
        (route, regex) for route, regex in _leaf_regexes(get_resolver().url_patterns) if "api/" not in regex.pattern
    ]
    assert len(pages) > 100
    for path in API_PATHS:
        matching = [route for route, regex in pages if regex.search(path.lstrip("/"))]
        assert matching == [], f"{path} is matched by page route(s) {matching}"


def test_api_paths_resolve_to_api_routes():
    for path in API_PATHS:
        assert resolve(path).route.startswith("api/"), path


def test_api_routes_are_tried_before_the_pages():
    order = [regex.pattern for _, regex in _leaf_regexes(get_resolver().url_patterns)]
    first_api = next(index for index, text in enumerate(order) if text.startswith("^api/"))
    assert first_api < 10

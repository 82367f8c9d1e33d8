"""``/entities/by-query`` pages from SQL compiled once per query answer exactly what the ORM answers."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection

from catalog.api import compiled_pages
from catalog.api.compiled_pages import STAND_IN_UID, STAND_IN_VALUE, PageSql, _template, page_shape
from tests.catalog.api_fixtures import CATALOG, components

pytestmark = pytest.mark.django_db
URL = "/api/catalog/entities/by-query"
# 16 entities, 3 a page: a walk past this many pages is going round in circles.
MAX_PAGES = 8

QUERIES = [
    {"filter": "kind=component"},
    {"filter": "kind=component,spec.type=service"},
    {"filter": "spec.lifecycle=production"},
    {"filter": "spec.owner=team-a"},
    {"filter": "relations.ownedBy=group:default/team-a"},
    {"filter": "kind=component", "fields": "metadata.name,spec.type"},
    {"filter": "kind=component", "orderField": "metadata.name,asc"},
    {"filter": "kind=component", "orderField": "metadata.name,desc"},
    {"filter": "kind=component", "orderField": "spec.type,desc"},
    {"orderField": "metadata.title,asc"},
    {"filter": "kind=component", "fullTextFilterTerm": "svc-00", "fullTextFilterFields": "metadata.name"},
    {"filter": "kind=component", "fullTextFilterTerm": "svc", "orderField": "metadata.name,asc"},
    {"filter": "kind=component", "offset": 4},
    {"filter": "kind=component", "totalItems": "exclude"},
    {"filter": "relations.nosuchrelation=x"},  # Django compiles no SQL for it: an empty page
]


@pytest.fixture
def big_catalog(load_catalog):
    load_catalog(CATALOG + components(11))


@pytest.fixture(autouse=True)
def no_compiled_pages():
    compiled_pages.forget_compiled_pages()
    yield
    compiled_pages.forget_compiled_pages()


def walk(api, query: dict) -> list[bytes]:
    """Every page forward by nextCursor, then back from the last by prevCursor: each answer's bytes."""
    answers = []
    response = api.get(URL, {**query, "limit": 3})
    assert response.status_code == 200, response.content
    for _ in range(MAX_PAGES):
        answers.append(response.content)
        cursor = response.json()["pageInfo"].get("nextCursor")
        if not cursor:
            break
        response = api.get(URL, {"cursor": cursor, "limit": 3})
    for _ in range(MAX_PAGES):
        cursor = response.json()["pageInfo"].get("prevCursor")
        if not cursor:
            break
        response = api.get(URL, {"cursor": cursor, "limit": 3})
        answers.append(response.content)
    return answers


def orm_rows(shape, build, boundary):
    return list(build(boundary))


@pytest.mark.parametrize("query", QUERIES, ids=lambda query: "&".join(f"{k}={v}" for k, v in query.items()))
def test_pages_equal_the_orms(api, big_catalog, monkeypatch, query):
    compiled = walk(api, query)
    again = walk(api, query)  # every shape is compiled by now: all pages bound from templates
    monkeypatch.setattr("catalog.api.entities.page_rows", orm_rows)
    expected = walk(api, query)

    assert compiled == expected
    assert again == expected
    one_page = query.get("orderField") == "metadata.title,asc" or query.get("filter") == "relations.nosuchrelation=x"
    assert len(expected) > 1 or one_page


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pages are rendered by the database on PostgreSQL only")
def test_each_query_is_compiled_once_per_direction(api, big_catalog, django_assert_num_queries):
    walk(api, {"filter": "kind=component"})
    # The first page, pages after a boundary, pages before one.
    assert len(compiled_pages._compiled) == 3

    walk(api, {"filter": "kind=component"})
    assert len(compiled_pages._compiled) == 3


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pages are rendered by the database on PostgreSQL only")
def test_a_cursor_page_from_a_template_is_one_query(api, big_catalog, django_assert_num_queries):
    first = api.get(URL, {"filter": "kind=component", "limit": 3}).json()
    cursor = first["pageInfo"]["nextCursor"]
    api.get(URL, {"cursor": cursor, "limit": 3})

    with django_assert_num_queries(1):
        response = api.get(URL, {"cursor": cursor, "limit": 3})
    assert response.status_code == 200


def test_bad_boundary_in_a_cursor_is_refused(api, big_catalog):
    first = api.get(URL, {"filter": "kind=component", "limit": 3, "orderField": "metadata.name,asc"}).json()
    # A cursor of an id-ordered query carrying a (value, id) boundary.
    api.get(URL, {"cursor": first["pageInfo"]["nextCursor"], "limit": 3})
    import base64
    import json

    state = {"v": 1, "filter": ["kind=component"], "orderField": None, "boundary": ["x", str(uuid.uuid4())]}
    forged = base64.urlsafe_b64encode(json.dumps(state).encode()).decode()

    response = api.get(URL, {"cursor": forged, "limit": 3})

    assert response.status_code == 400
    assert response.json()["error"]["message"] == "malformed cursor"


def test_the_shape_leaves_out_total_and_boundary_values():
    state = {"v": 1, "filter": ["kind=component"], "orderField": None, "direction": "next"}
    one = page_shape(state | {"total": 10, "boundary": [str(uuid.uuid4())]}, 50, 0)
    other = page_shape(state | {"total": 12, "boundary": [str(uuid.uuid4())]}, 50, 0)

    assert one == other
    assert one != page_shape(state, 50, 0)
    assert one != page_shape(state | {"boundary": ["a"]}, 20, 0)
    assert one != page_shape(state | {"boundary": ["a"], "direction": "prev"}, 50, 0)


def test_a_template_binds_the_boundary_where_the_stand_ins_were():
    template = _template("... %s %s %s", (["kind"], STAND_IN_VALUE, str(STAND_IN_UID)), ["v", "u"])
    uid = uuid.uuid4()

    assert template == PageSql("... %s %s %s", (["kind"], STAND_IN_VALUE, str(STAND_IN_UID)), 2, 1)
    assert template.bind(["web", str(uid)]) == [["kind"], "web", str(uid)]
    assert _template("%s", (STAND_IN_UID,), [str(uid)]).bind([str(uid)]) == [uid]


@pytest.mark.parametrize(
    "params",
    [
        (["kind"],),  # no stand-in: the ORM dropped or transformed it
        (STAND_IN_UID, STAND_IN_UID),  # twice: which one is the boundary is unknown
    ],
)
def test_a_template_is_not_kept_unless_each_stand_in_is_found_once(params):
    assert _template("%s", params, [str(uuid.uuid4())]) is None

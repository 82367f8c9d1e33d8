"""Backstage's search API: ``GET /api/search/query``."""

from __future__ import annotations

import base64

import pytest
from rest_framework.test import APIClient

from portal.search.indexing import replace_documents
from tests.catalog.api_fixtures import components
from tests.search.conftest import load_catalog

pytestmark = pytest.mark.django_db
URL = "/api/search/query"


@pytest.fixture
def api(settings) -> APIClient:
    settings.API_ANONYMOUS_READ = True
    return APIClient()


def test_needs_a_token_unless_anonymous_read(search_catalog):
    response = APIClient().get(URL, {"term": "payment"})
    assert response.status_code == 401 and response.json()["error"]["name"] == "AuthenticationError"


def test_answers_in_backstages_shape(api, search_catalog):
    body = api.get(URL, {"term": "payment"}).json()
    assert body["numberOfResults"] == 4 and "nextPageCursor" not in body and "previousPageCursor" not in body
    first = body["results"][0]
    assert first["type"] == "software-catalog" and first["rank"] == 1
    assert first["document"] == {
        "title": "Payment gateway",
        "text": "Takes card payments for the shop.",
        "location": "/catalog/component/default/payment/",
        "kind": "Component",
        "namespace": "default",
        "name": "payment",
        "type": "service",
        "componentType": "service",
        "lifecycle": "production",
        "owner": "group:default/team-payments",
        "tags": ["java", "money"],
    }
    highlight = first["highlight"]
    pre, post = highlight["preTag"], highlight["postTag"]
    assert highlight["fields"] == {
        "title": f"{pre}Payment{post} gateway",
        "text": f"Takes card {pre}payments{post} for the shop.",
    }


def test_types_and_filters_in_every_array_style(api, search_catalog):
    assert [r["type"] for r in api.get(URL, {"term": "pay", "types[0]": "people"}).json()["results"]] == ["people"]
    assert api.get(URL, {"term": "pay", "types[]": "people"}).json()["numberOfResults"] == 1
    body = api.get(URL, {"term": "pay", "filters[kind]": "API"}).json()
    assert [r["document"]["name"] for r in body["results"]] == ["payment-api"]
    body = api.get(URL, {"term": "pay", "filters[lifecycle][0]": "production", "filters[lifecycle][1]": "experimental"})
    assert body.json()["numberOfResults"] == 3


def test_docs_pages_come_with_their_entity(api, search_catalog):
    replace_documents(
        "techdocs",
        "component:default/payment",
        [{"title": "Refunds", "location": "/docs/default/component/payment/#refunds", "text": "Money back."}],
    )
    result = api.get(URL, {"term": "refunds", "types[0]": "techdocs"}).json()["results"][0]
    assert result["document"]["location"] == "/docs/default/component/payment/#refunds"
    assert result["document"]["entityTitle"] == "Payment gateway"
    assert result["document"]["owner"] == "group:default/team-payments"


def test_cursors_page_through_results(api, write_file):
    load_catalog(write_file, components(5, "svc"))
    first = api.get(URL, {"term": "svc", "pageLimit": 2}).json()
    second = api.get(URL, {"term": "svc", "pageLimit": 2, "pageCursor": first["nextPageCursor"]}).json()
    third = api.get(URL, {"term": "svc", "pageLimit": 2, "pageCursor": second["nextPageCursor"]}).json()
    names = [r["document"]["name"] for page in (first, second, third) for r in page["results"]]
    assert names == [f"svc-{index:03d}" for index in range(5)]
    assert [r["rank"] for r in second["results"]] == [3, 4]
    assert "nextPageCursor" not in third and "previousPageCursor" in third
    back = api.get(URL, {"term": "svc", "pageLimit": 2, "pageCursor": third["previousPageCursor"]}).json()
    assert [r["document"] for r in back["results"]] == [r["document"] for r in second["results"]]


def test_empty_term_lists_everything(api, search_catalog):
    assert api.get(URL).json()["numberOfResults"] == 7


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"term": "x" * 201}, "term: at most 200 characters"),
        ({"types[0]": "secrets"}, "types: unknown type 'secrets'"),
        ({"filters[colour]": "red"}, "filters[colour]: unknown filter"),
        ({"filters": "kind"}, "filters: write filters as filters[field]=value"),
        ({"pageCursor": "not-base64!"}, "pageCursor: not a cursor returned by this API"),
        ({"pageCursor": base64.b64encode(b'{"page": -1}').decode()}, "pageCursor: not a cursor"),
        ({"pageCursor": base64.b64encode(b'{"page": "1; DROP"}').decode()}, "pageCursor: not a cursor"),
        ({"pageCursor": base64.b64encode(b"[]").decode()}, "pageCursor: not a cursor"),
        ({"pageLimit": "1000"}, "pageLimit: must be a whole number from 1 to 100"),
        ({"pageLimit": "ten"}, "pageLimit: must be a whole number from 1 to 100"),
        ({"filters[owner]": "group:"}, "filters[owner]"),
    ],
)
def test_bad_requests_get_backstages_error_shape(api, search_catalog, params, message):
    response = api.get(URL, params)
    assert response.status_code == 400
    body = response.json()
    assert body["error"]["name"] == "InputError" and message in body["error"]["message"]
    assert body["response"] == {"statusCode": 400} and body["request"]["method"] == "GET"


@pytest.mark.parametrize("term", ['"', "NEAR(pay ledger)", "pay*", "-pay", "'; DROP TABLE x; --", "🙂🙂"])
def test_injection_attempts_are_plain_searches(api, search_catalog, term):
    response = api.get(URL, {"term": term})
    assert response.status_code == 200 and isinstance(response.json()["results"], list)


def test_a_nul_in_the_term_is_refused_at_the_edge_naming_the_parameter(api, search_catalog):
    response = api.get(URL, {"term": "pay\u0000ledger"})
    assert response.status_code == 400
    assert response.json()["error"]["name"] == "InputError" and "term" in response.json()["error"]["message"]

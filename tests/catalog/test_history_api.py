"""An entity's history over the API: versions, the body as it was at a moment, diffs."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import EntityHistory
from catalog.services import delete_location, refresh_location, register_location, validate_location_spec

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.catalog.lookup_urls")]

HISTORY = "/api/catalog/entities/by-name/component/default/web/history"


def web(owner: str, description: str | None = None) -> str:
    extra = f"  description: {description}\n" if description else ""
    return (
        "apiVersion: backstage.io/v1alpha1\nkind: Component\n"
        f"metadata:\n  name: web\n{extra}"
        f"spec: {{type: website, lifecycle: production, owner: {owner}}}\n"
    )


@pytest.fixture
def save(write_file, settings):
    """Write the catalog file and refresh its location; returns the location."""
    settings.API_ANONYMOUS_READ = True

    def save(text: str):
        path = write_file("catalog.yaml", text)
        location = register_location(validate_location_spec("file", str(path)), exists_ok=True, trusted=True)
        refresh_location(location)
        return location

    return save


@pytest.fixture
def changed(save):
    """``web`` created owned by team-a, then handed to team-b with a description."""
    save(web("team-a"))
    return save(web("team-b", "The storefront"))


def get(client, path: str, status: int = 200) -> dict:
    response = client.get(path)
    assert response.status_code == status, response.content
    return response.json()


def versions() -> list[EntityHistory]:
    return list(EntityHistory.objects.of_entity("component:default/web").order_by("recorded_at", "id"))


def at(moment) -> str:
    return "?at=" + quote(moment.isoformat())


def test_lists_versions_newest_first(client, changed):
    created, updated = versions()
    body = get(client, HISTORY)
    assert body["pageInfo"] == {}
    assert body["items"] == [
        {
            "generation": 2,
            "change": "updated",
            "recordedAt": updated.recorded_at.isoformat(),
            "locationRef": changed.location_ref,
            "locationKey": updated.location_key,
            "commit": "",
            "changedFields": ["metadata.description", "spec.owner"],
        },
        {
            "generation": 1,
            "change": "created",
            "recordedAt": created.recorded_at.isoformat(),
            "locationRef": changed.location_ref,
            "locationKey": created.location_key,
            "commit": "",
            "changedFields": [],
        },
    ]


def test_path_ignores_case(client, changed):
    body = get(client, "/api/catalog/entities/by-name/Component/DEFAULT/Web/history")
    assert [item["generation"] for item in body["items"]] == [2, 1]


def test_pages_with_a_cursor(client, save):
    for owner in ["team-a", "team-b", "team-c"]:
        save(web(owner))
    first = get(client, HISTORY + "?limit=2")
    assert [item["generation"] for item in first["items"]] == [3, 2]
    second = get(client, HISTORY + "?limit=2&cursor=" + first["pageInfo"]["nextCursor"])
    assert [item["generation"] for item in second["items"]] == [1]
    assert second["pageInfo"] == {}


def test_list_is_one_query_whatever_the_page_size(client, save):
    for owner in ["team-a", "team-b", "team-c"]:
        save(web(owner))
    with CaptureQueriesContext(connection) as small:
        get(client, HISTORY + "?limit=1")
    with CaptureQueriesContext(connection) as large:
        get(client, HISTORY + "?limit=500")
    assert len(small) == len(large) == 1


def test_at_a_past_moment_returns_the_body_then(client, changed):
    created, _ = versions()
    body = get(client, HISTORY + at(created.recorded_at + timedelta(microseconds=1)))
    assert body["generation"] == 1
    assert body["change"] == "created"
    assert body["recordedAt"] == created.recorded_at.isoformat()
    assert body["entity"]["spec"]["owner"] == "team-a"


def test_at_now_returns_the_current_body(client, changed):
    body = get(client, HISTORY + "?at=2999-01-01T00:00:00Z")
    assert body["generation"] == 2
    assert body["entity"]["spec"]["owner"] == "team-b"


def test_at_with_an_unescaped_plus_offset(client, changed):
    # A '+' left unescaped in a query string arrives as a space.
    body = get(client, HISTORY + "?at=2999-01-01T00:00:00+00:00")
    assert body["generation"] == 2


def test_at_before_creation_is_not_found(client, changed):
    created, _ = versions()
    moment = created.recorded_at - timedelta(seconds=1)
    body = get(client, HISTORY + at(moment), status=404)
    assert body["error"] == {
        "name": "NotFoundError",
        "message": f"component:default/web did not exist yet at {moment.isoformat()}",
    }


def test_diff_shows_owner_replaced(client, changed):
    body = get(client, HISTORY + "/diff?from=1&to=2")
    assert body == {
        "from": 1,
        "to": 2,
        "changes": [
            {"path": "metadata.description", "op": "add", "from": None, "to": "The storefront"},
            {"path": "spec.owner", "op": "replace", "from": "team-a", "to": "team-b"},
        ],
    }


def test_diff_to_defaults_to_latest(client, changed):
    body = get(client, HISTORY + "/diff?from=1")
    assert body["to"] == 2
    assert {"path": "spec.owner", "op": "replace", "from": "team-a", "to": "team-b"} in body["changes"]


def test_diff_backwards_reports_removals(client, changed):
    body = get(client, HISTORY + "/diff?from=2&to=1")
    assert body["changes"][0] == {
        "path": "metadata.description",
        "op": "remove",
        "from": "The storefront",
        "to": None,
    }


def test_diff_of_a_generation_with_itself_is_empty(client, changed):
    assert get(client, HISTORY + "/diff?from=2&to=2")["changes"] == []


def test_diff_unknown_generation_is_named(client, changed):
    body = get(client, HISTORY + "/diff?from=1&to=7", status=404)
    assert body["error"] == {
        "name": "NotFoundError",
        "message": "component:default/web has no recorded generation 7",
    }


def test_deleted_entity_keeps_its_history(client, changed):
    delete_location(changed)
    body = get(client, HISTORY)
    assert [item["change"] for item in body["items"]] == ["deleted", "updated", "created"]
    assert get(client, HISTORY + "/diff?from=1")["to"] == 2
    created, _, _ = versions()
    assert get(client, HISTORY + at(created.recorded_at))["generation"] == 1


def test_at_after_deletion_is_not_found(client, changed):
    delete_location(changed)
    deleted = versions()[-1]
    body = get(client, HISTORY + "?at=2999-01-01T00:00:00Z", status=404)
    assert body["error"]["message"] == (
        f"component:default/web was deleted at {deleted.recorded_at.isoformat()}, before 2999-01-01T00:00:00+00:00"
    )


@pytest.mark.parametrize("suffix", ["", "?at=2999-01-01", "/diff?from=1"])
def test_entity_without_history_is_backstage_not_found(client, changed, suffix):
    body = get(client, "/api/catalog/entities/by-name/component/default/nope/history" + suffix, status=404)
    assert body["error"] == {
        "name": "NotFoundError",
        "message": "No entity named 'nope' found, with kind 'component' in namespace 'default'",
    }
    assert body["response"] == {"statusCode": 404}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?limit=0", "limit must be between 1 and 500, got 0"),
        ("?limit=501", "limit must be between 1 and 500, got 501"),
        ("?limit=ten", "limit must be an integer, got 'ten'"),
        ("?cursor=not-a-cursor", "cursor is malformed; pass pageInfo.nextCursor from the previous page"),
        ("?cursor=e30=", "cursor is malformed; pass pageInfo.nextCursor from the previous page"),
        (
            "?at=last-week",
            "at must be an ISO date or date-time, e.g. 2026-11-14T09:30:00Z, got 'last-week'",
        ),
        (
            "?at=2026-13-45",
            "at must be an ISO date or date-time, e.g. 2026-11-14T09:30:00Z, got '2026-13-45'",
        ),
        ("/diff", "from is required: the generation to diff from"),
        ("/diff?from=one", "from must be an integer, got 'one'"),
        ("/diff?from=0", "from must be between 1 and 2147483647, got 0"),
        ("/diff?from=1&to=", "to must be an integer, got ''"),
    ],
)
def test_malformed_parameters_are_input_errors(client, changed, query, message):
    body = get(client, HISTORY + query, status=400)
    assert body["error"] == {"name": "InputError", "message": message}


def test_at_a_date_means_the_end_of_that_day(client, changed):
    created, _ = versions()
    day_before = (created.recorded_at - timedelta(days=1)).date().isoformat()
    assert get(client, HISTORY + "?at=" + day_before, status=404)["error"]["name"] == "NotFoundError"
    assert get(client, HISTORY + "?at=2999-01-01")["generation"] == 2


def test_schema_documents_the_lookup_routes():
    from django.urls import include, path
    from drf_spectacular.generators import SchemaGenerator

    generator = SchemaGenerator(patterns=[path("api/catalog/", include("catalog.api.routes_lookups"))])
    paths = generator.get_schema(request=None, public=True)["paths"]
    assert {route: operation["get"]["operationId"] for route, operation in paths.items()} == {
        "/api/catalog/owners": "getOwnerLookup",
        "/api/catalog/owners/{kind}/{namespace}/{name}": "getOwnerLookupByName",
        "/api/catalog/entities/by-name/{kind}/{namespace}/{name}/history": "getEntityHistoryByName",
        "/api/catalog/entities/by-name/{kind}/{namespace}/{name}/history/diff": "getEntityHistoryDiffByName",
        "/api/catalog/ownership-gaps": "getOwnershipGaps",
    }


_NAME_NUL = "path parameter 'name' must not contain NUL characters"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/api/catalog/entities/by-name/component/default/we%00b/history", _NAME_NUL),
        ("/api/catalog/entities/by-name/component/default/we%00b/history/diff?from=1", _NAME_NUL),
        ("/api/catalog/owners/component/default/we%00b", _NAME_NUL),
        (
            "/api/catalog/owners?entityRef=component:default/we%00b",
            "query parameter 'entityRef' must not contain NUL characters",
        ),
    ],
)
def test_nul_in_a_ref_is_an_input_error(client, changed, path, message):
    # Refused before the view, naming the parameter (portal.api.request_checks).
    body = get(client, path, status=400)
    assert body["error"] == {"name": "InputError", "message": message} or body["error"]["message"] == (
        "query parameter 'entityRef' must not contain NUL characters"
    )

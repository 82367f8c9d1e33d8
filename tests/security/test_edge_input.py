"""Bad requests are refused at the edge with a 4xx in Backstage's error shape, never a 500, and store nothing.

Run on PostgreSQL too (CI sets DATABASE_URL): a NUL in a lookup only fails there, as ``DataError``.
"""

from __future__ import annotations

import base64
import io
import json
import tarfile

import pytest
from rest_framework.test import APIClient

from catalog.api.cursors import encode_cursor
from catalog.models import Location
from portal.services.tokens import issue_token
from techdocs.archives import ArchiveRefused, extract_archive
from tests.catalog.webhook_payloads import SECRET, github_push, signed_headers

pytestmark = pytest.mark.django_db

DEEP = "[" * 5000 + "]" * 5000
UUID = "00000000-0000-0000-0000-000000000000"


@pytest.fixture
def api(django_user_model) -> APIClient:
    """An ordinary user's token; server errors come back as responses, so a 500 is asserted, not raised."""
    client = APIClient(raise_request_exception=False)
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {issue_token(django_user_model.objects.create_user('alice'), 'ci')[1]}"
    )
    return client


def assert_input_error(response, message: str) -> None:
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    assert body["error"]["name"] == "InputError"
    assert message in body["error"]["message"]
    assert body["response"] == {"statusCode": 400}


def post_json(api: APIClient, url: str, text: str):
    return api.post(url, text, content_type="application/json")


# --- JSON bodies: depth and unstorable strings ---------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [DEEP, '{"type": "url", "target": ' + DEEP + "}", '{"type": "url", "target": ' + "[" * 70 + "]" * 70 + "}"],
    ids=["deep-array", "deep-field", "just-over-the-limit"],
)
def test_deeply_nested_location_bodies_are_400(api, text):
    assert_input_error(post_json(api, "/api/catalog/locations", text), "nests deeper than 64 levels")
    assert Location.objects.count() == 0


def test_deeply_nested_entities_to_validate_are_400(api):
    text = '{"location": "url:https://example.com/x.yaml", "entity": {"spec": ' + DEEP + "}}"
    assert_input_error(post_json(api, "/api/catalog/validate-entity", text), "nests deeper than 64 levels")


def test_a_signed_deeply_nested_webhook_is_400(settings):
    settings.CATALOG_WEBHOOK_SECRET = SECRET
    body = ('{"ref": "refs/heads/main", "repository": ' + DEEP + "}").encode()
    response = APIClient(raise_request_exception=False).post(
        "/api/catalog/webhooks/git", body, content_type="application/json", headers=signed_headers("github", body)
    )
    assert_input_error(response, "nests deeper than 64 levels")


@pytest.mark.parametrize("escape", ["\\ud800", "\\udfff", "\\u0000"])
def test_unstorable_strings_in_a_body_are_400_naming_the_field(api, escape):
    text = '{"type": "url", "target": "https://github.com/a/b/blob/main/' + escape + '.yaml"}'
    assert_input_error(post_json(api, "/api/catalog/locations", text), "target holds a NUL character or a lone")
    assert Location.objects.count() == 0


def test_a_lone_surrogate_in_a_key_is_400(api):
    text = '{"location": "url:https://example.com/x.yaml", "entity": {"\\ud800": 1}}'
    assert_input_error(post_json(api, "/api/catalog/validate-entity", text), "a key in entity holds")


def test_nan_is_not_json(api):
    assert_input_error(post_json(api, "/api/catalog/locations", '{"type": NaN}'), "NaN is not a JSON value")


# --- Cursors ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "position",
    ['{"limit": 1e400, "offset": 0}', '{"limit": -1, "offset": -1}'],
)
def test_forged_after_cursors_are_400(api, position):
    response = api.get("/api/catalog/entities", {"after": base64.b64encode(position.encode()).decode()})
    assert_input_error(response, "malformed 'after' cursor")


@pytest.mark.parametrize(
    ("state", "key"),
    [
        ({"boundary": ["not-a-uuid"]}, "boundary"),
        ({"orderField": ["metadata.name", "desc"], "boundary": [1, "zz"]}, "boundary"),
        ({"offset": -3}, "offset"),
        ({"offset": 10**20}, "offset"),
        ({"filter": "kind=component"}, "filter"),
        ({"orderField": "metadata.name"}, "orderField"),
        ({"fullText": {"term": 5}}, "fullText"),
        ({"direction": "sideways"}, "direction"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_forged_query_cursors_are_400_naming_the_key(api, state, key):
    cursor = encode_cursor({"v": 1, **state})
    assert_input_error(api.get("/api/catalog/entities/by-query", {"cursor": cursor}), f"malformed cursor ('{key}')")
    response = post_json(api, "/api/catalog/entities/by-query", json.dumps({"cursor": cursor}))
    assert_input_error(response, f"malformed cursor ('{key}')")


def test_a_cursor_cannot_smuggle_a_nul_into_a_filter(api):
    cursor = encode_cursor({"v": 1, "filter": ["kind=com\x00ponent"]})
    assert_input_error(api.get("/api/catalog/entities/by-query", {"cursor": cursor}), "cursor: filter[0] holds a NUL")


def test_a_cursor_written_by_the_api_still_pages(api):
    cursor = encode_cursor({"v": 1, "filter": [], "orderField": None, "offset": 0, "boundary": [UUID]})
    response = api.get("/api/catalog/entities/by-query", {"cursor": cursor})
    assert response.status_code == 200
    assert response.json()["items"] == []


@pytest.mark.parametrize("offset", [-1, "3", 1.5, True])
def test_a_bad_offset_in_a_query_body_is_400(api, offset):
    response = post_json(api, "/api/catalog/entities/by-query", json.dumps({"offset": offset}))
    assert_input_error(response, "offset must be a whole number")


# --- Path and query parameters --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/catalog/entities/by-name/component/default/a%00b", "name"),
        ("/api/catalog/entities/by-name/comp%00onent/default/a", "kind"),
        ("/api/catalog/entities/by-name/component/default/a%00b/ancestry", "name"),
        ("/api/catalog/locations/by-entity/component/def%00ault/a", "namespace"),
        ("/api/techdocs/metadata/techdocs/default/component/a%00b", "name"),
        ("/api/techdocs/metadata/entity/default/component/a%00b", "name"),
        ("/api/techdocs/static/docs/default/component/a/index%00.html", "path"),
        ("/api/soundcheck/entities/component/default/a%00b", "name"),
    ],
)
def test_a_nul_in_a_path_parameter_is_400_naming_it(api, url, parameter):
    assert_input_error(api.get(url), f"path parameter '{parameter}' must not contain NUL characters")


def test_a_nul_in_a_query_parameter_is_400_naming_it(api):
    response = api.get("/api/catalog/entities?filter=kind%3Dcom%00ponent")
    assert_input_error(response, "query parameter 'filter' must not contain NUL characters")


def test_a_nul_in_a_page_path_is_400_not_a_server_error(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("alice"))
    assert client.get("/catalog/component/default/a%00b/").status_code == 400


# --- Bodies over the limit, docs archives --------------------------------------------------------


def test_a_body_over_the_limit_names_the_limit_and_the_setting(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = post_json(api, "/api/catalog/locations", json.dumps({"type": "url", "target": "x" * 4096}))
    assert response.status_code == 413
    assert response.json()["error"] == {
        "name": "PayloadTooLargeError",
        "message": "request body is larger than the 1024 byte limit (the server's API_MAX_BODY_BYTES setting)",
    }


def _tar(names: list[str]) -> io.BytesIO:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name in names:
            info = tarfile.TarInfo(name)
            info.size = 1
            archive.addfile(info, io.BytesIO(b"x"))
    buffer.seek(0)
    return buffer


@pytest.mark.parametrize(
    "name", ["a" * 300 + ".html", "/".join(["d" * 200] * 6) + "/index.html"], ids=["long-part", "long-path"]
)
def test_docs_archives_with_over_long_member_names_are_refused(tmp_path, name):
    with pytest.raises(ArchiveRefused, match="is named too long"):
        extract_archive(_tar(["index.html", name]), tmp_path, max_bytes=10_000, max_files=10)
    assert list(tmp_path.iterdir()) == []


# --- Webhook tokens ------------------------------------------------------------------------------


@pytest.mark.parametrize("provider", ["github", "gitea"])
@pytest.mark.parametrize("change", [" {}", "{} ", "\t{}\t"], ids=["leading", "trailing", "tabs"])
def test_a_webhook_signature_with_surrounding_whitespace_is_refused(settings, provider, change):
    settings.CATALOG_WEBHOOK_SECRET = SECRET
    body = json.dumps(github_push()).encode()
    headers = signed_headers(provider, body)
    header = "X-Hub-Signature-256" if provider == "github" else "X-Gitea-Signature"
    headers[header] = change.format(headers[header])
    response = APIClient().post("/api/catalog/webhooks/git", body, content_type="application/json", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["name"] == "AuthenticationError"


def test_a_webhook_signature_in_capitals_is_refused(settings):
    settings.CATALOG_WEBHOOK_SECRET = SECRET
    body = json.dumps(github_push()).encode()
    headers = signed_headers("github", body)
    headers["X-Hub-Signature-256"] = headers["X-Hub-Signature-256"].upper().replace("SHA256=", "sha256=")
    response = APIClient().post("/api/catalog/webhooks/git", body, content_type="application/json", headers=headers)
    assert response.status_code == 401


@pytest.mark.parametrize("moment", ["1591-04-18T23:18:53-20:46", "0001-01-01T00:00:00+20:00"])
def test_a_moment_with_an_offset_postgresql_refuses_is_not_a_server_error(api, moment):
    # Found by schemathesis on PostgreSQL, which takes offsets only up to ±15:59 (DataError before).
    response = api.get("/api/catalog/entities/by-name/component/default/a/history", {"at": moment})
    assert response.status_code in (400, 404), response.content[:300]
    assert response.json()["error"]["name"] in ("InputError", "NotFoundError")


# --- Found by schemathesis: answers the schema did not document --------------------------------


@pytest.mark.parametrize("url", ["/api/tech-radar/data/not%20a%20slug", "/api/catalog/no-such-endpoint"])
def test_a_path_no_api_route_takes_is_a_json_404(api, url):
    response = api.get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["name"] == "NotFoundError"


def test_an_event_stream_error_is_json(api):
    response = api.get(f"/api/scaffolder/v2/tasks/{UUID}/eventstream")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["name"] == "NotFoundError"

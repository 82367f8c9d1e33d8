"""``$text``/``$json``/``$yaml``/``$openapi`` placeholders naming ``https://`` files on a host with an integration.

Fetched from the private HTTPS host of ``tests/gitserver.py`` (static files behind Basic auth) with
the integration's credential; every other host, address or answer is refused with a message.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from catalog.formats.readers import ReaderPolicy, SourceFile, read_location
from catalog.formats.readers.httpfetch import FetchError, fetch_https
from catalog.formats.yaml_reader import parse_documents
from catalog.integrations import git_http_credentials, parse_integrations
from catalog.models import Entity
from catalog.services import refresh_location, register_location, validate_location_spec
from catalog.services.placeholders import resolve_placeholders
from tests.gitserver import DOCUMENTED_REPO, PRIVATE_TOKEN, GitHttpsServer

TOKEN = "ghe_placeholder-token-77aa10"
SOURCE = SourceFile("file:/srv/catalog/catalog-info.yaml", "/srv/catalog/catalog-info.yaml", b"")
OPENAPI = b"openapi: 3.0.0\ninfo: {title: Pets, version: '1'}\npaths: {}\n"


@pytest.fixture
def server(git_https_server) -> GitHttpsServer:
    hosted = git_https_server(basic={("x-access-token", TOKEN)})
    hosted.static.update({"openapi.yaml": OPENAPI, "schema.json": b'{"type": "object"}'})
    return hosted


def policy_for(tmp_path, server: GitHttpsServer, token: str | None = TOKEN, **options) -> ReaderPolicy:
    options.setdefault("ca_bundle", str(server.certificates.ca_file))
    options.setdefault("allow_private_addresses", True)
    integrations = {"github": [{"host": server.netloc, **({"token": token} if token else {})}]}
    return ReaderPolicy(
        cache_dir=tmp_path / "cache", http_credentials=git_http_credentials(parse_integrations(integrations)), **options
    )


def resolve(value: dict, policy: ReaderPolicy) -> tuple[object, list[tuple[str, str]]]:
    resolved, errors = resolve_placeholders({"definition": value}, SOURCE, policy)
    return resolved["definition"], [(error.level, error.message) for error in errors]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"$text": "static/openapi.yaml"}, OPENAPI.decode()),
        (
            {"$yaml": "static/openapi.yaml"},
            {"openapi": "3.0.0", "info": {"title": "Pets", "version": "1"}, "paths": {}},
        ),
        ({"$json": "static/schema.json"}, {"type": "object"}),
    ],
)
def test_a_file_on_an_integration_host_is_fetched_with_its_token(server, tmp_path, value, expected):
    ((key, path),) = value.items()
    resolved, errors = resolve({key: server.url(path)}, policy_for(tmp_path, server))
    assert (resolved, errors) == (expected, [])
    assert len(server.seen) == 1 and server.seen[0].status == 200


def test_a_host_without_an_integration_is_not_fetched(server, git_https_server, tmp_path):
    other = git_https_server(basic={("x-access-token", TOKEN)})
    other.static["openapi.yaml"] = OPENAPI
    url = other.url("static/openapi.yaml")

    resolved, errors = resolve({"$text": url}, policy_for(tmp_path, server))

    assert resolved == f"Not loaded: {url}"
    assert errors == [
        (
            "warning",
            f"$text placeholder {url} was not loaded: {other.netloc} has no integration; "
            "configure one in integrations: of GREENROOM_CONFIG",
        )
    ]
    assert other.seen == []


def test_a_wrong_token_names_the_integration(server, tmp_path):
    resolved, errors = resolve({"$text": server.url("static/openapi.yaml")}, policy_for(tmp_path, server, "wrong-tok"))
    assert resolved is None
    assert errors == [
        (
            "error",
            f"$text placeholder: authentication failed for {server.netloc} (integration github[0]): "
            "check its credential and that it may read this repository",
        )
    ]


def test_an_untrusted_certificate_says_to_set_the_ca_bundle(server, tmp_path):
    _, errors = resolve({"$text": server.url("static/openapi.yaml")}, policy_for(tmp_path, server, ca_bundle=None))
    assert errors == [
        (
            "error",
            f"$text placeholder: certificate not trusted for {server.netloc}; "
            "set GREENROOM_CA_BUNDLE to a PEM file holding its CA",
        )
    ]
    assert server.seen == []


def test_a_file_over_the_limit_is_refused(server, tmp_path):
    server.static["big.txt"] = b"x" * 5000
    url = server.url("static/big.txt")
    resolved, errors = resolve({"$text": url}, policy_for(tmp_path, server, max_file_bytes=4096))
    assert resolved is None and errors == [("error", f"$text placeholder: {url} is 5000 bytes, over the 4096 limit")]


def test_a_redirect_is_not_followed(server, tmp_path):
    server.redirects["moved.yaml"] = "https://169.254.169.254/latest/meta-data/"
    url = server.url("static/moved.yaml")
    resolved, errors = resolve({"$text": url}, policy_for(tmp_path, server))
    assert resolved is None and errors == [("error", f"$text placeholder: {url} answered HTTP 302 Found")]
    assert [request.path for request in server.seen] == ["/static/moved.yaml"]


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        (
            {"allow_private_addresses": False},
            "host '127.0.0.1' resolves to non-public address 127.0.0.1; refusing to connect",
        ),
        ({"allowed_hosts": ("git.example.com",)}, "host '127.0.0.1' is not in the allowed git hosts"),
    ],
)
def test_the_git_remote_rules_apply(server, tmp_path, options, reason):
    url = server.url("static/openapi.yaml")
    resolved, errors = resolve({"$text": url}, policy_for(tmp_path, server, **options))
    assert resolved == f"Not loaded: {url}"
    assert errors == [("warning", f"$text placeholder {url} was not loaded: {reason}")]
    assert server.seen == []


@pytest.mark.django_db
def test_an_api_in_a_private_repository_gets_its_definition_from_the_host(private_git_host):
    server = private_git_host.server
    server.static["openapi.yaml"] = OPENAPI
    private_git_host.repo.commit(
        {
            "catalog-info.yaml": DOCUMENTED_REPO["catalog-info.yaml"]
            + "---\napiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: pets\nspec:\n"
            f"  type: openapi\n  lifecycle: production\n  owner: team-a\n"
            f"  definition:\n    $text: {server.url('static/openapi.yaml')}\n"
        }
    )
    private_git_host.configure_integration()

    refresh_location(register_location(validate_location_spec("url", private_git_host.location_target)))

    assert Entity.objects.get(ref="api:default/pets").body["spec"]["definition"] == OPENAPI.decode()
    assert PRIVATE_TOKEN not in str(Entity.objects.get(ref="api:default/pets").body)


def test_a_slow_answer_is_cut_off(server, tmp_path):
    server.delays["openapi.yaml"] = 2
    url = server.url("static/openapi.yaml")
    started = time.monotonic()
    with pytest.raises(FetchError, match=rf"cannot fetch {url}: (The read operation )?timed out"):
        fetch_https(url, policy_for(tmp_path, server), timeout=0.5)
    assert time.monotonic() - started < 1.5


# --- $openapi: a definition on the host whose $refs are fetched from it too ---------------------

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def serve_nursery(server: GitHttpsServer) -> list[str]:
    """The multi-file fixture as static files under ``nursery/``; their paths on the server."""
    folder = FIXTURES / "openapi-bundle"
    names = [str(path.relative_to(folder)) for path in sorted(folder.rglob("*.yaml"))]
    server.static.update({f"nursery/{name}": (folder / name).read_bytes() for name in names})
    return [f"/static/nursery/{name}" for name in names]


def test_an_openapi_target_on_the_host_is_bundled_from_the_same_host(server, tmp_path):
    paths = serve_nursery(server)

    resolved, errors = resolve({"$openapi": server.url("static/nursery/openapi.yaml")}, policy_for(tmp_path, server))

    assert errors == []
    (expected,) = parse_documents((FIXTURES / "openapi-bundle-expected.yaml").read_bytes(), source="expected")
    (bundled,) = parse_documents(resolved.encode(), source="bundled")
    assert bundled.data == expected.data
    fetched = [request.path for request in server.seen]
    assert sorted(fetched) == sorted(path for path in paths if not path.endswith("catalog-info.yaml"))
    assert {request.status for request in server.seen} == {200}


def test_a_local_definition_may_name_a_schema_on_the_host(server, tmp_path, write_file):
    server.static["pet.yaml"] = b"type: object\nproperties: {id: {type: integer}}\n"
    url = server.url("static/pet.yaml")
    write_file(
        "openapi.yaml",
        f"openapi: 3.0.3\ninfo: {{title: P, version: '1'}}\ncomponents: {{schemas: {{Pet: {{$ref: '{url}'}}}}}}\n",
    )
    policy = policy_for(tmp_path, server)
    (source,) = read_location("file", str(write_file("catalog-info.yaml", "kind: API\n")), policy).files

    resolved, errors = resolve_placeholders({"d": {"$openapi": "./openapi.yaml"}}, source, policy)

    assert errors == []
    (bundled,) = parse_documents(resolved["d"].encode(), source="bundled")
    assert bundled.data["components"]["schemas"]["Pet"] == {"type": "object", "properties": {"id": {"type": "integer"}}}


def test_a_ref_on_the_host_follows_the_git_remote_rules(server, tmp_path, write_file):
    url = server.url("static/pet.yaml")
    write_file("openapi.yaml", f"openapi: 3.0.3\ncomponents: {{schemas: {{Pet: {{$ref: '{url}'}}}}}}\n")
    policy = policy_for(tmp_path, server, allow_private_addresses=False)
    (source,) = read_location("file", str(write_file("catalog-info.yaml", "kind: API\n")), policy).files

    resolved, errors = resolve_placeholders({"d": {"$openapi": "./openapi.yaml"}}, source, policy)

    assert f"$ref: {url}" in resolved["d"]
    reason = "host '127.0.0.1' resolves to non-public address 127.0.0.1; refusing to connect"
    assert [(error.level, error.message) for error in errors] == [
        (
            "warning",
            f"$openapi placeholder: {source.location_key.rsplit('/', 1)[0]}/openapi.yaml (components.schemas.Pet): "
            f"$ref {url} was not followed: {reason}",
        )
    ]
    assert server.seen == []


def test_a_ref_from_the_host_to_another_host_is_kept_with_a_warning(server, git_https_server, tmp_path):
    other = git_https_server(basic={("x-access-token", TOKEN)})
    other.static["pet.yaml"] = b"type: object\n"
    server.static["api.yaml"] = (
        f"openapi: 3.0.3\ninfo: {{title: P, version: '1'}}\n"
        f"components: {{schemas: {{Pet: {{$ref: '{other.url('static/pet.yaml')}'}}}}}}\n"
    ).encode()

    resolved, errors = resolve({"$openapi": server.url("static/api.yaml")}, policy_for(tmp_path, server))

    assert f"$ref: {other.url('static/pet.yaml')}" in resolved
    assert errors == [
        (
            "warning",
            f"$openapi placeholder: {server.url('static/api.yaml')} (components.schemas.Pet): "
            f"$ref {other.url('static/pet.yaml')} was not followed: {other.netloc} has no integration; "
            "configure one in integrations: of GREENROOM_CONFIG",
        )
    ]
    assert other.seen == []


def test_a_missing_ref_on_the_host_names_the_url(server, tmp_path):
    server.static["api.yaml"] = b"openapi: 3.0.3\ninfo: {title: P, version: '1'}\npaths: {/a: {$ref: ./gone.yaml}}\n"

    resolved, errors = resolve({"$openapi": server.url("static/api.yaml")}, policy_for(tmp_path, server))

    assert resolved is None
    ((level, message),) = errors
    assert level == "error"
    assert message.startswith(
        f"$openapi placeholder {server.url('static/api.yaml')}: {server.url('static/api.yaml')} (paths./a): "
        f"$ref ./gone.yaml: {server.url('static/gone.yaml')} answered HTTP 404"
    )
    assert TOKEN not in message

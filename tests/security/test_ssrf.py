"""Server-side requests: only public or configured hosts; internal addresses refused by default."""

from __future__ import annotations

import http.server
import socket
import threading

import pytest

from catalog.formats.readers import ReaderPolicy
from catalog.formats.readers.remotes import RemoteRefused, check_remote
from catalog.formats.readers.targets import parse_git_target


@pytest.fixture
def policy(tmp_path) -> ReaderPolicy:
    return ReaderPolicy(cache_dir=tmp_path)


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "10.0.0.5",
        "192.168.1.1",
        "172.16.0.1",
        "169.254.169.254",
        "[::1]",
        "[::ffff:127.0.0.1]",
        "[fe80::1]",
        "[fd00::1]",
        "0.0.0.0",
        "2130706433",
        "100.64.0.1",
    ],
)
def test_internal_addresses_are_refused(policy, host):
    target = parse_git_target(f"https://{host}/org/repo.git")
    with pytest.raises(RemoteRefused):
        check_remote(target, policy)


def test_a_dns_name_resolving_to_an_internal_address_is_refused(policy, monkeypatch):
    def resolve(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    with pytest.raises(RemoteRefused, match=r"non-public address 10\.1\.2\.3"):
        check_remote(parse_git_target("https://git.internal.example/org/repo.git"), policy)


def test_one_internal_answer_among_public_ones_is_enough_to_refuse(policy, monkeypatch):
    answers = ["140.82.112.3", "127.0.0.1"]
    monkeypatch.setattr(
        socket, "getaddrinfo", lambda host, port, *a, **k: [(2, 1, 6, "", (address, port)) for address in answers]
    )
    with pytest.raises(RemoteRefused):
        check_remote(parse_git_target("https://github.example/org/repo.git"), policy)


def test_the_checked_address_is_pinned_for_git(policy, monkeypatch):
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, port, *a, **k: [(2, 1, 6, "", ("140.82.112.3", port))])
    checked = check_remote(parse_git_target("https://github.example/org/repo.git"), policy)
    assert checked.pinned_address == "140.82.112.3"


def test_only_configured_hosts_are_read_when_a_list_is_set(tmp_path):
    policy = ReaderPolicy(cache_dir=tmp_path, allowed_hosts=("github.com",))
    with pytest.raises(RemoteRefused, match="not in the allowed git hosts"):
        check_remote(parse_git_target("https://gitlab.com/org/repo.git"), policy, resolve=False)


def test_placeholders_never_fetch_absolute_urls(tmp_path, policy):
    from catalog.formats.readers import SourceFile
    from catalog.services.placeholders import resolve_placeholders

    source = SourceFile(location_key=f"file:{tmp_path}/c.yaml", path="c.yaml", data=b"", root=None)
    data = {"definition": {"$text": "http://169.254.169.254/latest/meta-data/"}}
    resolved, errors = resolve_placeholders(data, source, policy)
    assert resolved == {"definition": "Not loaded: http://169.254.169.254/latest/meta-data/"}
    assert errors[0].level == "warning"


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):
        type(self).requests.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'{"type": "string"}')

    def log_message(self, *args):
        pass


@pytest.fixture
def internal_server():
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    _Recorder.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("scheme", ["http", "file"])
def test_json_schema_refs_in_template_parameters_are_never_fetched(internal_server, scheme):
    from scaffolder.parameter_validation import validate_all

    ref = f"{internal_server}/schema.json" if scheme == "http" else "file:///etc/hostname"
    body = {"spec": {"parameters": [{"title": "Page", "properties": {"name": {"$ref": ref}}}]}}
    errors = validate_all(body, {"name": 1})
    assert _Recorder.requests == []
    assert len(errors) == 1
    assert "does not resolve" in errors[0].message
    assert "only '#/...' references" in errors[0].message


def test_local_json_schema_refs_still_work():
    from scaffolder.parameter_validation import validate_all

    body = {
        "spec": {
            "parameters": [
                {
                    "title": "Page",
                    "definitions": {"name": {"type": "string"}},
                    "properties": {"name": {"$ref": "#/definitions/name"}},
                }
            ]
        }
    }
    assert validate_all(body, {"name": "ok"}) == []
    assert [error.field for error in validate_all(body, {"name": 1})] == ["name"]


def test_fetch_actions_cannot_reach_internal_addresses(settings, tmp_path):
    from scaffolder.sources import SourceError, read_skeleton

    settings.CATALOG = {**settings.CATALOG, "ALLOW_PRIVATE_ADDRESSES": False}
    with pytest.raises(SourceError) as raised:
        read_skeleton(f"file:{tmp_path}/template.yaml", "https://169.254.169.254/org/repo/tree/main/skeleton")
    assert "non-public address" in str(raised.value)

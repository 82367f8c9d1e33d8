"""Git over HTTPS against a real private host: tokens per integration kind, a private CA, refusals.

The host is ``tests/gitserver.py``: ``git http-backend`` behind TLS from a throwaway CA, answering
401 to any request without a credential it accepts.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from catalog.formats.readers import ReaderPolicy, read_location
from catalog.formats.readers.githttp import explain_http_failure
from catalog.formats.readers.results import HttpCredential
from catalog.integrations import git_http_credentials, parse_integrations
from tests.gitserver import DOCUMENTED_REPO, GitHttpsServer, make_certificates
from tests.leaks import CommandLineWatcher

TOKEN = "ghe_private-token-5f3a9c"
TARGET = "#main:catalog-info.yaml"


def policy_for(tmp_path: Path, server: GitHttpsServer, integrations: dict | None, **options) -> ReaderPolicy:
    """Loopback allowed (the host is on 127.0.0.1), the test CA trusted unless told otherwise."""
    options.setdefault("ca_bundle", str(server.certificates.ca_file))
    return ReaderPolicy(
        cache_dir=tmp_path / "cache",
        allow_private_addresses=True,
        allow_local_git=False,
        http_credentials=git_http_credentials(parse_integrations(integrations or {})),
        **options,
    )


def github(server: GitHttpsServer, token: str | None = TOKEN) -> dict:
    return {"github": [{"host": server.netloc, **({"token": token} if token else {})}]}


def read(server: GitHttpsServer, policy: ReaderPolicy, repo: str = "service") -> tuple[list[str], list[str]]:
    result = read_location("url", server.url(f"{repo}.git") + TARGET, policy)
    return [file.path for file in result.files], [error.message for error in result.errors]


@pytest.fixture
def server(git_https_server) -> GitHttpsServer:
    hosted = git_https_server(basic={("x-access-token", TOKEN)})
    hosted.create_repo("service", DOCUMENTED_REPO)
    return hosted


def test_a_github_token_reads_the_private_repository(server, tmp_path):
    files, errors = read(server, policy_for(tmp_path, server, github(server)))
    assert (files, errors) == (["catalog-info.yaml"], [])
    expected = "Basic " + base64.b64encode(f"x-access-token:{TOKEN}".encode()).decode()
    assert set(server.authorizations()) == {expected}


def test_without_an_integration_the_error_says_to_configure_one(server, tmp_path):
    files, errors = read(server, policy_for(tmp_path, server, None))
    assert files == []
    assert errors == [
        f"Could not read git repository {server.url('service.git')}: {server.netloc} refused access: "
        f"configure an integration for {server.netloc} (in integrations: of GREENROOM_CONFIG)"
    ]
    assert server.seen and set(server.authorizations()) == {None}


def test_a_wrong_token_names_the_integration(server, tmp_path):
    files, errors = read(server, policy_for(tmp_path, server, github(server, "ghe_wrong-token")))
    assert files == []
    assert errors == [
        f"Could not read git repository {server.url('service.git')}: authentication failed for {server.netloc} "
        "(integration github[0]): check its credential and that it may read this repository"
    ]
    assert "ghe_wrong-token" not in errors[0]


def test_an_integration_without_a_token_says_so(server, tmp_path):
    _, errors = read(server, policy_for(tmp_path, server, github(server, None)))
    assert errors[0].endswith(
        f"{server.netloc} refused access: integration github[0] has no credential for git over HTTPS"
    )


def test_a_403_is_an_authentication_failure(git_https_server, tmp_path):
    hosted = git_https_server(basic={("x-access-token", TOKEN)})
    repo = hosted.create_repo("service", DOCUMENTED_REPO)
    # The token is accepted, but the backend refuses to serve the repository: git gets a 403.
    with (repo.bare / "config").open("a") as config:
        config.write("[http]\n\tuploadpack = false\n\tgetanyfile = false\n")
    _, errors = read(hosted, policy_for(tmp_path, hosted, github(hosted)))
    assert 403 in {request.status for request in hosted.seen}
    assert f"authentication failed for {hosted.netloc} (integration github[0])" in errors[0]


def test_a_missing_repository_is_not_called_an_authentication_failure(server, tmp_path):
    _, errors = read(server, policy_for(tmp_path, server, github(server)), repo="no-such-repo")
    assert errors[0].startswith(f"Could not read git repository {server.url('no-such-repo.git')}: ")
    assert "not found" in errors[0] and "authentication" not in errors[0] and "integration" not in errors[0]


def test_an_untrusted_certificate_says_to_set_the_ca_bundle(server, tmp_path):
    _, errors = read(server, policy_for(tmp_path, server, github(server), ca_bundle=None))
    assert errors == [
        f"Could not read git repository {server.url('service.git')}: certificate not trusted for "
        f"{server.netloc}; set GREENROOM_CA_BUNDLE to a PEM file holding its CA"
    ]
    assert server.seen == []  # the handshake failed: no request, so no token, reached the host


def test_a_ca_bundle_of_another_ca_is_not_enough(server, tmp_path):
    other = make_certificates(tmp_path / "other-ca")
    _, errors = read(server, policy_for(tmp_path, server, github(server), ca_bundle=str(other.ca_file)))
    assert errors[0].endswith(
        f"certificate not trusted for {server.netloc}: its CA is neither in GREENROOM_CA_BUNDLE nor the system's"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "cannot read GREENROOM_CA_BUNDLE {path}: No such file or directory"), ("junk\n", "holds no PEM")],
)
def test_an_unusable_ca_bundle_is_named(server, tmp_path, content, message):
    path = tmp_path / "bundle.pem"
    if content is not None:
        path.write_text(content)
    _, errors = read(server, policy_for(tmp_path, server, github(server), ca_bundle=str(path)))
    assert message.format(path=path) in errors[0]


def test_the_ca_bundle_is_added_to_the_system_cas(server, tmp_path):
    policy = policy_for(tmp_path, server, github(server))
    read(server, policy)
    (joined,) = (tmp_path / "cache").glob("ca-bundle-*.pem")
    text = joined.read_text()
    assert server.certificates.ca_file.read_text() in text
    assert text.count("BEGIN CERTIFICATE") > 1  # the system's CAs are still trusted for public hosts


@pytest.mark.parametrize(
    ("integrations", "basic", "bearer"),
    [
        ({"gitlab": [{"token": "glpat-secret"}]}, ("oauth2", "glpat-secret"), None),
        ({"gitea": [{"username": "robot", "password": "gitea-secret"}]}, ("robot", "gitea-secret"), None),
        ({"gitea": [{"username": "robot", "token": "gitea-token"}]}, ("robot", "gitea-token"), None),
        ({"bitbucketServer": [{"token": "bb-http-token"}]}, None, "bb-http-token"),
        ({"bitbucketServer": [{"username": "svc", "password": "bb-pw"}]}, ("svc", "bb-pw"), None),
        ({"azure": [{"credentials": [{"personalAccessToken": "azure-pat"}]}]}, ("", "azure-pat"), None),
    ],
    ids=["gitlab", "gitea-password", "gitea-token", "bitbucket-bearer", "bitbucket-basic", "azure"],
)
def test_every_integration_kind_authenticates(git_https_server, tmp_path, integrations, basic, bearer):
    hosted = git_https_server(basic={basic} if basic else set(), bearer={bearer} if bearer else set())
    hosted.create_repo("service", DOCUMENTED_REPO)
    ((kind, entries),) = integrations.items()
    configured = {kind: [{**entries[0], "host": hosted.netloc}]}
    files, errors = read(hosted, policy_for(tmp_path, hosted, configured))
    assert (files, errors) == (["catalog-info.yaml"], [])


def test_only_the_matching_host_receives_the_token(server, git_https_server, tmp_path):
    other = git_https_server(basic={("x-access-token", TOKEN)})
    other.create_repo("service", DOCUMENTED_REPO)
    policy = policy_for(tmp_path, server, github(server))

    assert read(server, policy)[0] == ["catalog-info.yaml"]
    _, errors = read(other, policy)

    assert f"configure an integration for {other.netloc}" in errors[0]
    assert other.seen and set(other.authorizations()) == {None}


def test_no_git_command_line_holds_the_token(server, tmp_path):
    policy = policy_for(tmp_path, server, github(server))
    encoded = base64.b64encode(f"x-access-token:{TOKEN}".encode()).decode()
    with CommandLineWatcher() as watcher:
        files, _ = read(server, policy)
        server.create_repo("second", DOCUMENTED_REPO)
        read(server, policy, "second")
    assert files == ["catalog-info.yaml"]
    seen = "\n".join(watcher.git_command_lines)
    assert server.netloc in seen  # the watcher saw the clones themselves
    assert TOKEN not in seen and encoded not in seen


def test_policy_reprs_hide_the_credential(server, tmp_path):
    policy = policy_for(tmp_path, server, github(server))
    assert TOKEN not in repr(policy) and "Basic" not in repr(policy)
    assert "Basic" not in repr(HttpCredential("h", "github[0]", "Basic abc"))


GITHUB_POLICY = ReaderPolicy(
    cache_dir=Path("/nonexistent"),
    http_credentials=(HttpCredential("ghe.example", "github[1]", "Basic " + base64.b64encode(b"x:tok-9f8e").decode()),),
)


@pytest.mark.parametrize(
    ("stderr", "url", "expected"),
    [
        (  # OpenSSL builds of git
            "fatal: unable to access 'https://ghe.example/a.git/': SSL certificate problem: self-signed certificate "
            "in certificate chain",
            "https://ghe.example/a.git",
            "certificate not trusted for ghe.example; set GREENROOM_CA_BUNDLE to a PEM file holding its CA",
        ),
        (
            "remote: Invalid username or password.; fatal: Authentication failed for 'https://ghe.example/a.git/'",
            "https://ghe.example/a.git",
            "authentication failed for ghe.example (integration github[1]): "
            "check its credential and that it may read this repository",
        ),
        (
            "fatal: unable to access 'https://other.example/a.git/': The requested URL returned error: 403",
            "https://other.example/a.git",
            "other.example refused access: configure an integration for other.example "
            "(in integrations: of GREENROOM_CONFIG)",
        ),
        (  # not https: left as git said it
            "fatal: Could not read from remote repository.; Authentication failed",
            "ssh://git@ghe.example/a.git",
            "fatal: Could not read from remote repository.; Authentication failed",
        ),
        ("fatal: repository 'https://ghe.example/a.git/' not found", "https://ghe.example/a.git", None),
        ("echoed x:tok-9f8e and " + base64.b64encode(b"x:tok-9f8e").decode(), "https://ghe.example/a.git", None),
    ],
    ids=["openssl-certificate", "authentication-failed", "403-no-integration", "ssh", "not-found", "redacted"],
)
def test_git_messages_are_recognised(stderr, url, expected):
    explained = explain_http_failure(stderr, url, GITHUB_POLICY)
    if expected is not None:
        assert explained == expected
    else:
        assert "tok-9f8e" not in explained and base64.b64encode(b"x:tok-9f8e").decode() not in explained
        assert explained.startswith(("fatal: repository", "echoed x:*** and ***"))

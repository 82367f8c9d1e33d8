"""catalog.integrations: Backstage's ``integrations:`` section, parsed, checked and never printed."""

from __future__ import annotations

import base64
import logging
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from catalog import config
from catalog.formats.readers import ReaderPolicy, gitmirror
from catalog.formats.readers.gitcommand import GitError, run_git
from catalog.formats.readers.githttp import authorization_config
from catalog.formats.readers.results import HttpCredential
from catalog.integrations import (
    GitHubIntegration,
    GitLabIntegration,
    Secret,
    SshIntegration,
    git_http_credentials,
    integration_for_host,
    parse_integrations,
)
from portal import app_config

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "app-config" / "app-config.yaml"
TOKEN = "ghp_fixture-token-never-logged"


def test_every_kind_is_parsed():
    parsed = parse_integrations(
        {
            "github": [
                {"token": "t1", "apps": [{"appId": 12, "privateKey": "k", "clientId": "c", "clientSecret": "s"}]},
                {"host": "GHE.example", "apiBaseUrl": "https://ghe.example/api/v3", "rawBaseUrl": "https://r"},
            ],
            "gitlab": [{"host": "gitlab.example", "token": "t2", "baseUrl": "https://gitlab.example"}],
            "gitea": [{"host": "gitea.example", "username": "u", "password": "p"}],
            "bitbucketServer": [{"host": "bb.example", "username": "u", "password": "p", "apiBaseUrl": "a"}],
            "azure": [{"credentials": [{"personalAccessToken": "pat"}]}],
            "ssh": [{"host": "git.example", "port": 2222, "user": "git", "privateKey": "KEY", "knownHosts": "kh"}],
            "awsS3": [{"host": "ignored"}],
        }
    )
    assert [item.label for item in parsed] == [
        "github[0]", "github[1]", "gitlab[0]", "gitea[0]", "bitbucketServer[0]", "azure[0]", "ssh[0]",
    ]  # fmt: skip
    github = parsed[0]
    assert isinstance(github, GitHubIntegration)
    assert github.host == "github.com" and github.token == Secret("t1")
    assert github.apps[0].app_id == "12" and github.apps[0].private_key.reveal() == "k"
    assert parsed[1].host == "ghe.example" and parsed[1].token is None
    assert parsed[4].password.reveal() == "p"
    assert parsed[5].host == "dev.azure.com" and parsed[5].personal_access_tokens == (Secret("pat"),)
    ssh = parsed[6]
    assert isinstance(ssh, SshIntegration) and (ssh.port, ssh.user, ssh.known_hosts) == (2222, "git", "kh")


def test_secrets_never_print():
    (github,) = parse_integrations({"github": [{"token": TOKEN}]})
    for text in (repr(github), str(github), f"{github.token}", repr(github.token)):
        assert TOKEN not in text
    assert repr(github.token) == "'***'"
    assert github.token.reveal() == TOKEN


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"github": [{}, {"host": 3.5}]}, r"integrations\.github\[1\]\.host must be a string"),
        ({"gitlab": [{"host": ""}]}, r"integrations\.gitlab\[0\]\.host is required"),
        ({"gitea": [{"username": "u"}]}, r"integrations\.gitea\[0\]\.host is required"),
        ({"github": {"host": "x"}}, r"integrations\.github must be a list"),
        ({"github": ["x"]}, r"integrations\.github\[0\] must be a mapping"),
        ({"github": [{"token": ["a"]}]}, r"integrations\.github\[0\]\.token must be a string"),
        ({"ssh": [{"host": "h", "port": "22"}]}, r"integrations\.ssh\[0\]\.port must be a port number"),
        ({"azure": [{"credentials": "x"}]}, r"integrations\.azure\[0\]\.credentials must be a list"),
        ([], r"integrations must be a mapping"),
    ],
)
def test_wrong_types_name_the_key_path(section, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        parse_integrations(section)


def test_integration_for_host():
    parsed = parse_integrations({"github": [{}], "gitlab": [{"host": "gitlab.example:8443"}]})
    assert integration_for_host("GitHub.com", parsed).label == "github[0]"
    assert isinstance(integration_for_host("gitlab.example", parsed), GitLabIntegration)
    assert integration_for_host("bitbucket.org", parsed) is None


@pytest.fixture
def backstage_app_config(settings, monkeypatch):
    for name in ("GHE_TOKEN", "GITLAB_TOKEN", "POSTGRES_HOST", "POSTGRES_PORT", "POSTGRES_USER", "PAGERDUTY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    for name in ("POSTGRES_PASSWORD", "AUTH_GITHUB_CLIENT_ID", "AUTH_GITHUB_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("GHE_TOKEN", "ghe-token-never-logged")
    monkeypatch.setattr(app_config, "_warned_sections", False)
    settings.GREENROOM_CONFIG_FILE = str(FIXTURE)
    config.catalog_settings.cache_clear()
    yield
    config.catalog_settings.cache_clear()


def test_a_backstage_app_config_loads_unchanged(backstage_app_config, caplog):
    with caplog.at_level(logging.WARNING):
        catalog = config.catalog_settings()
        config.catalog_settings.cache_clear()
        config.catalog_settings()
    assert catalog["RULES"] == [{"allow": ["Component", "System", "API", "Resource", "Location", "Group", "User"]}]
    assert [(entry["type"], entry.get("rules")) for entry in catalog["LOCATIONS"]] == [
        ("file", None),
        ("url", [{"allow": ["Template"]}]),
    ]
    labels = {item.label: item for item in catalog["INTEGRATIONS"]}
    assert set(labels) == {"github[0]", "github[1]", "gitlab[0]"}
    assert labels["github[0]"].token.reveal() == TOKEN
    assert labels["github[1]"].api_base_url == "https://ghe.velocity-cycles.example/api/v3"
    assert labels["gitlab[0]"].token is None  # GITLAB_TOKEN is not set: dropped, with a warning
    assert integration_for_host("ghe.velocity-cycles.example").label == "github[1]"
    messages = [record.getMessage() for record in caplog.records]
    assert any("integrations.gitlab[0].token" in message for message in messages)
    ignored = [message for message in messages if "sections Greenroom does not read" in message]
    assert ignored == [
        "app-config: sections Greenroom does not read are ignored: "
        "app, auth, backend, kubernetes, organization, permission, proxy, scaffolder, techdocs"
    ]
    assert TOKEN not in caplog.text and "ghe-token-never-logged" not in caplog.text


def test_a_static_file_location_from_the_fixture_is_resolved(backstage_app_config):
    targets = [location.target for location in config.static_locations()]
    assert targets[1] == "https://github.com/velocity-cycles/software-templates/blob/main/all-templates.yaml"


def test_bad_integrations_in_the_config_file_are_refused(settings, tmp_path):
    path = tmp_path / "app-config.yaml"
    path.write_text("integrations:\n  github:\n    - host: github.com\n    - host: [a]\n")
    settings.GREENROOM_CONFIG_FILE = str(path)
    config.catalog_settings.cache_clear()
    with pytest.raises(ImproperlyConfigured, match=rf"{path}: integrations\.github\[1\]\.host"):
        config.catalog_settings()


@pytest.mark.parametrize("key", ["locations", "rules"])
def test_catalog_lists_of_the_wrong_type_are_refused(settings, tmp_path, key):
    path = tmp_path / "app-config.yaml"
    path.write_text(f"catalog:\n  {key}: {{type: file}}\n")
    settings.GREENROOM_CONFIG_FILE = str(path)
    config.catalog_settings.cache_clear()
    with pytest.raises(ImproperlyConfigured, match=rf"catalog\.{key} must be a list"):
        config.catalog_settings()


def test_git_over_https_sends_the_token_to_its_host_only(backstage_app_config, tmp_path, monkeypatch):
    policy = config.reader_policy()
    assert TOKEN not in repr(policy)
    header = authorization_config(policy, "https://github.com/velocity-cycles/web.git")
    expected = base64.b64encode(f"x-access-token:{TOKEN}".encode()).decode()
    assert header == [("http.https://github.com/.extraHeader", f"Authorization: Basic {expected}")]
    assert authorization_config(policy, "https://gitlab.velocity-cycles.example/a/b.git") == []  # no token set
    assert authorization_config(policy, "http://github.com/velocity-cycles/web.git") == []  # never in clear text
    assert authorization_config(policy, "https://bitbucket.org/a/b.git") == []

    calls = []
    monkeypatch.setattr(gitmirror, "run_git", lambda args, **options: calls.append(options["config"]) or b"")
    with gitmirror.open_mirror(policy, "https://github.com/velocity-cycles/web.git") as mirror:
        mirror.has_commit("0" * 40)  # no mirror yet: nothing run
        mirror._git("ls-remote")
    assert calls == [header]


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_every_https_kind_gets_its_authorization_header():
    parsed = parse_integrations(
        {
            "github": [{"host": "ghe.example", "token": "ghp"}],
            "gitlab": [{"host": "gitlab.example", "token": "glpat"}],
            "gitea": [{"host": "gitea.example", "username": "robot", "password": "pw"}],
            "bitbucketServer": [
                {"host": "bb.example", "token": "bbtoken"},
                {"host": "bb2.example", "username": "svc", "password": "bbpw"},
            ],
            "azure": [{"credentials": [{"personalAccessToken": "pat"}]}],
            "ssh": [{"host": "ssh.example", "privateKey": "KEY"}],
        }
    )
    assert git_http_credentials(parsed) == (
        HttpCredential("ghe.example", "github[0]", basic("x-access-token", "ghp")),
        HttpCredential("gitlab.example", "gitlab[0]", basic("oauth2", "glpat")),
        HttpCredential("gitea.example", "gitea[0]", basic("robot", "pw")),
        HttpCredential("bb.example", "bitbucketServer[0]", "Bearer bbtoken"),
        HttpCredential("bb2.example", "bitbucketServer[1]", basic("svc", "bbpw")),
        HttpCredential("dev.azure.com", "azure[0]", basic("", "pat")),
    )


def test_integrations_without_a_credential_are_kept_to_be_named():
    parsed = parse_integrations(
        {
            "github": [{"host": "a.example"}, {"host": "a.example", "token": "second"}],
            "gitea": [{"host": "g", "password": "p"}],
        }
    )
    assert git_http_credentials(parsed) == (
        HttpCredential("a.example", "github[0]", None),  # the first entry for a host wins
        HttpCredential("g", "gitea[0]", None),  # gitea needs a username with the password
    )


def test_a_port_in_the_integration_host_must_match():
    policy = ReaderPolicy(
        cache_dir=Path("/nonexistent"),
        http_credentials=(HttpCredential("git.example:8443", "gitea[0]", "Basic abc"),),
    )
    assert authorization_config(policy, "https://git.example:8443/a.git") == [
        ("http.https://git.example:8443/.extraHeader", "Authorization: Basic abc")
    ]
    assert authorization_config(policy, "https://git.example/a.git") == []
    assert authorization_config(policy, "https://git.example:9443/a.git") == []
    assert authorization_config(policy, "https://evil.example/git.example:8443/a.git") == []


@pytest.mark.parametrize(
    ("configured", "url", "matches"),
    [
        ("[::1]:8443", "https://[::1]:8443/a.git", True),
        ("[::1]:8443", "https://[::1]/a.git", False),
        ("[::1]", "https://[::1]:9443/a.git", True),
        ("GIT.example", "https://git.EXAMPLE/a.git", True),
    ],
)
def test_hosts_match_ipv6_and_case(configured, url, matches):
    policy = ReaderPolicy(cache_dir=Path("/nonexistent"), http_credentials=(HttpCredential(configured, "x[0]", "B"),))
    assert bool(authorization_config(policy, url)) is matches


def test_git_scopes_the_header_to_the_host(tmp_path):
    policy = ReaderPolicy(
        cache_dir=tmp_path, http_credentials=(HttpCredential("github.com", "github[0]", "Basic abc"),)
    )
    scoped = authorization_config(policy, "https://github.com/a/b.git")

    def header_for(url: str) -> bytes:
        try:
            return run_git(
                ["config", "--get-urlmatch", "http.extraHeader", url], policy=policy, home=tmp_path, config=scoped
            )
        except GitError:
            return b""

    assert header_for("https://github.com/other/repo.git") == b"Authorization: Basic abc\n"
    assert header_for("https://example.com/a/b.git") == b""

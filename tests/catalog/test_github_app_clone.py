"""Git over HTTPS with a GitHub App's installation token (``integrations.github[].apps``).

The GitHub API part is a recorded replay (``tests/catalog/providers/replay.py``, answers in GitHub's
REST shapes for ``/repos/{owner}/{repo}/installation`` and ``/app/installations/{id}/access_tokens``);
the clone is from a real HTTPS git server (``tests/gitserver.py``) that accepts only the
installation token, as ``x-access-token``. One ``integrations.github`` entry serves both: its ``host``
is the git server, its ``apiBaseUrl`` the replay.
"""

from __future__ import annotations

import base64
import json
import logging
from datetime import UTC, datetime, timedelta

import pytest
import yaml
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from catalog import config, github_app_tokens
from catalog.models import Entity, Location
from catalog.services import refresh_location, register_location, validate_location_spec
from tests.catalog.providers.replay import serve
from tests.gitserver import DOCUMENTED_REPO, reach
from tests.leaks import CommandLineWatcher, database_text

INSTALLATION_TOKEN = "ghs_installationTOKEN0123456789abcdefAB"
ENTITY = "component:default/private-service"
INSTALLATION = "GET /repos/acme/private-service/installation"
ACCESS_TOKENS = "POST /app/installations/4242/access_tokens"


@pytest.fixture
def app_key() -> tuple[rsa.RSAPrivateKey, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return key, pem.decode()


@pytest.fixture
def replay(settings):
    yield from serve("github", settings, recorded=False)


@pytest.fixture
def host(git_https_server, replay, settings, tmp_path, monkeypatch, app_key):
    """The git server holding ``acme/private-service``, the replay answering as GitHub would."""
    server = git_https_server(basic={("x-access-token", INSTALLATION_TOKEN)})
    repo = server.create_repo("acme/private-service", DOCUMENTED_REPO)
    reach(settings, server)
    expires = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    replay.overrides[INSTALLATION] = (
        200,
        {},
        {"id": 4242, "app_id": 1234, "account": {"login": "acme", "type": "Organization"}},
    )
    replay.overrides[ACCESS_TOKENS] = (
        201,
        {},
        {"token": INSTALLATION_TOKEN, "expires_at": expires, "permissions": {"contents": "read"}},
    )
    monkeypatch.setenv("GITHUB_APP_KEY", app_key[1])
    github_app_tokens.forget_tokens()

    def configure(**app: object) -> None:
        entry = {
            "host": server.netloc,
            "apiBaseUrl": replay.base,
            "apps": [
                {"appId": 1234, "privateKey": "${GITHUB_APP_KEY}", "clientId": "Iv1.abc", "clientSecret": "x", **app}
            ],
        }
        path = tmp_path / "app-config.yaml"
        path.write_text(yaml.safe_dump({"integrations": {"github": [entry]}}))
        settings.GREENROOM_CONFIG_FILE = str(path)
        config.catalog_settings.cache_clear()

    configure()
    yield server, repo, configure
    github_app_tokens.forget_tokens()


def register(repo) -> Location:
    return register_location(validate_location_spec("url", f"{repo.url}#main:catalog-info.yaml"))


def errors(location: Location) -> list[str]:
    location.refresh_from_db()
    return [error["message"] for error in location.errors]


@pytest.mark.django_db(transaction=True)
def test_the_clone_uses_an_installation_token_and_it_leaks_nowhere_recorded_replay(host, replay, app_key, caplog):
    server, repo, _configure = host
    caplog.set_level(logging.DEBUG)
    with CommandLineWatcher() as watcher:
        location = register(repo)
        report = refresh_location(location)
        assert ENTITY in report.added and report.refused == []
        repo.commit({"catalog-info.yaml": DOCUMENTED_REPO["catalog-info.yaml"].replace("production", "deprecated")})
        refresh_location(location)

    assert Entity.objects.get(ref=ENTITY).body["spec"]["lifecycle"] == "deprecated"
    # One installation lookup and one token for both refreshes: the token is cached until near expiry.
    assert replay.asked == [INSTALLATION, ACCESS_TOKENS]
    jwt = replay.headers_seen[0]["authorization"].removeprefix("Bearer ")
    header, payload, signature = jwt.split(".")
    app_key[0].public_key().verify(
        base64.urlsafe_b64decode(signature + "=="), f"{header}.{payload}".encode(), padding.PKCS1v15(), hashes.SHA256()
    )
    assert json.loads(base64.urlsafe_b64decode(payload + "=="))["iss"] == "1234"
    expected = "Basic " + base64.b64encode(f"x-access-token:{INSTALLATION_TOKEN}".encode()).decode()
    assert set(server.authorizations()) == {expected}
    assert "\n".join(watcher.git_command_lines).count(server.netloc) >= 2
    places = {
        "command lines": "\n".join(watcher.git_command_lines),
        "logs": caplog.text,
        "location errors": "\n".join(errors(location)),
        "database": database_text(),
    }
    secrets = (INSTALLATION_TOKEN, expected.removeprefix("Basic "), jwt, "PRIVATE KEY", app_key[1].splitlines()[1])
    for place, text in places.items():
        for secret in secrets:
            assert secret not in text, f"a credential is in the {place}"


@pytest.mark.django_db
def test_an_expired_token_is_minted_again_recorded_replay(host, replay, monkeypatch):
    _server, repo, _configure = host
    monkeypatch.setattr(github_app_tokens, "REFRESH_MARGIN_SECONDS", 3600 + 60)  # every token already stale
    location = register(repo)
    refresh_location(location)
    refresh_location(location)
    assert replay.asked == [INSTALLATION, ACCESS_TOKENS, INSTALLATION, ACCESS_TOKENS]


@pytest.mark.django_db
def test_no_installation_for_the_owner_is_a_clear_error_recorded_replay(host, replay):
    _server, repo, _configure = host
    replay.overrides[INSTALLATION] = (404, {}, {"message": "Not Found", "status": "404"})
    location = register(repo)

    refresh_location(location)

    messages = errors(location)
    assert location.status == Location.Status.ERROR
    assert any("no installation for owner acme" in message for message in messages), messages
    assert not Entity.objects.filter(ref=ENTITY).exists()
    assert ACCESS_TOKENS not in replay.asked


@pytest.mark.django_db
def test_an_owner_outside_allowed_installation_owners_is_not_asked_for_recorded_replay(host, replay):
    _server, repo, configure = host
    configure(allowedInstallationOwners=["other-org"])
    location = register(repo)

    refresh_location(location)

    messages = errors(location)
    assert any("no installation for owner acme" in m and "allowedInstallationOwners" in m for m in messages)
    assert replay.asked == []


@pytest.mark.django_db
def test_an_invalid_app_key_is_a_clear_error(host, replay, monkeypatch):
    _server, repo, configure = host
    monkeypatch.setenv("GITHUB_APP_KEY", "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n")
    configure()
    location = register(repo)

    refresh_location(location)

    messages = errors(location)
    assert any("github[0] app 1234" in m and "private key is not a PEM RSA key" in m for m in messages), messages
    assert replay.asked == []


@pytest.mark.django_db
def test_a_key_github_does_not_take_names_the_app_recorded_replay(host, replay):
    _server, repo, _configure = host
    replay.overrides[INSTALLATION] = (
        401,
        {},
        {"message": "A JSON web token could not be decoded", "documentation_url": "https://docs.github.com/rest"},
    )
    location = register(repo)

    refresh_location(location)

    messages = errors(location)
    assert any(
        "GitHub App of integration github[0] app 1234" in m and "refused the app's signed JWT" in m for m in messages
    ), messages

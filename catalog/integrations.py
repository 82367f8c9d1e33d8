"""The ``integrations:`` section of a Backstage app-config: which hosts, with which credentials.

Backstage's shape (``github``, ``gitlab``, ``gitea``, ``bitbucketServer``, ``azure``) plus a Greenroom
extension, ``ssh``. Every credential is kept in a ``Secret`` so a repr, a log line or a traceback
shows ``'***'``; code that must send it calls ``reveal()``. docs/app-config.md lists the fields.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from .formats.readers.gitssh import SshCredential
from .formats.readers.results import AuthorizationSource, HttpCredential


class Secret:
    """A credential that never prints: ``str`` and ``repr`` are ``'***'``."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "'***'"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class Integration:
    """What every integration has: its kind, its place in the list and its host."""

    kind: str
    index: int
    host: str

    @property
    def label(self) -> str:
        """``github[0]``: how messages name the entry."""
        return f"{self.kind}[{self.index}]"


@dataclass(frozen=True)
class GitHubApp:
    app_id: str | None = None
    private_key: Secret | None = None
    client_id: str | None = None
    client_secret: Secret | None = None
    webhook_secret: Secret | None = None
    # ``allowedInstallationOwners``: the owners whose installations may be used; empty: any.
    allowed_installation_owners: tuple[str, ...] = ()


@dataclass(frozen=True)
class GitHubIntegration(Integration):
    token: Secret | None = None
    api_base_url: str | None = None
    raw_base_url: str | None = None
    apps: tuple[GitHubApp, ...] = ()


@dataclass(frozen=True)
class GitLabIntegration(Integration):
    token: Secret | None = None
    api_base_url: str | None = None
    base_url: str | None = None


@dataclass(frozen=True)
class GiteaIntegration(Integration):
    username: str | None = None
    password: Secret | None = None


@dataclass(frozen=True)
class BitbucketServerIntegration(Integration):
    token: Secret | None = None
    username: str | None = None
    password: Secret | None = None
    api_base_url: str | None = None


@dataclass(frozen=True)
class AzureIntegration(Integration):
    personal_access_tokens: tuple[Secret, ...] = field(default=())


@dataclass(frozen=True)
class SshIntegration(Integration):
    port: int = 22
    user: str | None = None
    private_key: Secret | None = None
    known_hosts: str | None = None


class _Entry:
    """One list entry being read, for messages that name ``integrations.github[1].host``."""

    def __init__(self, data: Any, path: str) -> None:
        if not isinstance(data, dict):
            raise ImproperlyConfigured(f"{path} must be a mapping")
        self.data, self.path = data, path

    def text(self, key: str, *, default: str | None = None) -> str | None:
        value = self.data.get(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise ImproperlyConfigured(f"{self.path}.{key} must be a string")
        return str(value)

    def texts(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key) or []
        if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
            raise ImproperlyConfigured(f"{self.path}.{key} must be a list of strings")
        return tuple(value)

    def secret(self, key: str) -> Secret | None:
        value = self.text(key)
        return Secret(value) if value else None

    def host(self, default: str | None = None) -> str:
        host = self.text("host", default=default)
        if not host or not host.strip():
            raise ImproperlyConfigured(f"{self.path}.host is required")
        return host.strip().lower()


def _github(entry: _Entry, index: int) -> GitHubIntegration:
    apps = entry.data.get("apps") or []
    if not isinstance(apps, list):
        raise ImproperlyConfigured(f"{entry.path}.apps must be a list")
    parsed = []
    for app_index, app_data in enumerate(apps):
        app = _Entry(app_data, f"{entry.path}.apps[{app_index}]")
        parsed.append(
            GitHubApp(
                app.text("appId"),
                app.secret("privateKey"),
                app.text("clientId"),
                app.secret("clientSecret"),
                app.secret("webhookSecret"),
                app.texts("allowedInstallationOwners"),
            )
        )
    return GitHubIntegration(
        "github",
        index,
        entry.host("github.com"),
        token=entry.secret("token"),
        api_base_url=entry.text("apiBaseUrl"),
        raw_base_url=entry.text("rawBaseUrl"),
        apps=tuple(parsed),
    )


def _gitlab(entry: _Entry, index: int) -> GitLabIntegration:
    return GitLabIntegration(
        "gitlab",
        index,
        entry.host("gitlab.com"),
        token=entry.secret("token"),
        api_base_url=entry.text("apiBaseUrl"),
        base_url=entry.text("baseUrl"),
    )


def _gitea(entry: _Entry, index: int) -> GiteaIntegration:
    password = entry.secret("password") or entry.secret("token")
    return GiteaIntegration("gitea", index, entry.host(), username=entry.text("username"), password=password)


def _bitbucket_server(entry: _Entry, index: int) -> BitbucketServerIntegration:
    return BitbucketServerIntegration(
        "bitbucketServer",
        index,
        entry.host(),
        token=entry.secret("token"),
        username=entry.text("username"),
        password=entry.secret("password"),
        api_base_url=entry.text("apiBaseUrl"),
    )


def _azure(entry: _Entry, index: int) -> AzureIntegration:
    credentials = entry.data.get("credentials") or []
    if not isinstance(credentials, list):
        raise ImproperlyConfigured(f"{entry.path}.credentials must be a list")
    tokens = []
    for number, item in enumerate(credentials):
        token = _Entry(item, f"{entry.path}.credentials[{number}]").secret("personalAccessToken")
        if token is not None:
            tokens.append(token)
    return AzureIntegration("azure", index, entry.host("dev.azure.com"), personal_access_tokens=tuple(tokens))


def _ssh(entry: _Entry, index: int) -> SshIntegration:
    port = entry.data.get("port", 22)
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise ImproperlyConfigured(f"{entry.path}.port must be a port number")
    return SshIntegration(
        "ssh",
        index,
        entry.host(),
        port=port,
        user=entry.text("user"),
        private_key=entry.secret("privateKey"),
        known_hosts=entry.text("knownHosts"),
    )


_PARSERS = {
    "github": _github,
    "gitlab": _gitlab,
    "gitea": _gitea,
    "bitbucketServer": _bitbucket_server,
    "azure": _azure,
    "ssh": _ssh,
}


def parse_integrations(section: Any, *, path: str = "integrations") -> tuple[Integration, ...]:
    """Every entry of an ``integrations:`` mapping; kinds Greenroom does not know are skipped."""
    if section is None:
        return ()
    if not isinstance(section, dict):
        raise ImproperlyConfigured(f"{path} must be a mapping")
    parsed: list[Integration] = []
    for kind, parser in _PARSERS.items():
        entries = section.get(kind) or []
        if not isinstance(entries, list):
            raise ImproperlyConfigured(f"{path}.{kind} must be a list")
        parsed += [parser(_Entry(data, f"{path}.{kind}[{index}]"), index) for index, data in enumerate(entries)]
    return tuple(parsed)


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def http_authorization(integration: Integration) -> str | None:
    """The ``Authorization`` value git over HTTPS sends for an integration; None if it has no credential.

    github: ``x-access-token`` and the token (what GitHub and GitHub Enterprise take for a token);
    gitlab: ``oauth2`` and the token; gitea: ``username`` and ``password``; bitbucketServer: the
    token as Bearer, else ``username`` and ``password``; azure: the first personal access token
    with an empty user.
    """
    if isinstance(integration, GitHubIntegration) and integration.token:
        return _basic("x-access-token", integration.token.reveal())
    if isinstance(integration, GitLabIntegration) and integration.token:
        return _basic("oauth2", integration.token.reveal())
    if isinstance(integration, GiteaIntegration) and integration.username and integration.password:
        return _basic(integration.username, integration.password.reveal())
    if isinstance(integration, BitbucketServerIntegration):
        if integration.token:
            return f"Bearer {integration.token.reveal()}"
        if integration.username and integration.password:
            return _basic(integration.username, integration.password.reveal())
    if isinstance(integration, AzureIntegration) and integration.personal_access_tokens:
        return _basic("", integration.personal_access_tokens[0].reveal())
    return None


def git_http_credentials(integrations: tuple[Integration, ...]) -> tuple[HttpCredential, ...]:
    """One ``HttpCredential`` per host with an HTTPS integration (the first entry for a host wins).

    Hosts whose integration has no credential are kept too, so a refusal can name the entry.
    """
    credentials: dict[str, HttpCredential] = {}
    for integration in integrations:
        if integration.kind == "ssh" or integration.host in credentials:
            continue
        credentials[integration.host] = HttpCredential(
            integration.host, integration.label, http_authorization(integration), _app_tokens(integration)
        )
    return tuple(credentials.values())


def _app_tokens(integration: Integration) -> AuthorizationSource | None:
    """The GitHub Apps of a github entry as a per-repository credential (``catalog.github_app_tokens``)."""
    if not isinstance(integration, GitHubIntegration) or not any(
        app.app_id and app.private_key for app in integration.apps
    ):
        return None
    from .github_app_tokens import InstallationTokens

    return InstallationTokens(integration)


def ssh_credentials(integrations: tuple[Integration, ...]) -> tuple[SshCredential, ...]:
    """The ``ssh`` entries as the git reader takes them (``catalog.formats.readers.gitssh``)."""
    return tuple(
        SshCredential(
            host=integration.host,
            config_path=f"integrations.{integration.label}",
            label=integration.label,
            port=integration.port,
            user=integration.user,
            private_key=integration.private_key.reveal() if integration.private_key else None,
            known_hosts=integration.known_hosts,
        )
        for integration in integrations
        if isinstance(integration, SshIntegration)
    )


def integration_for_host(host: str, integrations: tuple[Integration, ...] | None = None) -> Integration | None:
    """The first configured integration for ``host`` (case-insensitive, port ignored), or None."""
    if integrations is None:
        from .config import catalog_settings

        integrations = catalog_settings()["INTEGRATIONS"]
    wanted = host.strip().lower()
    for integration in integrations:
        if integration.host == wanted or integration.host.split(":")[0] == wanted.split(":")[0]:
            return integration
    return None

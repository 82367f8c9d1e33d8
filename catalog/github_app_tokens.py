"""GitHub App installation tokens for git over HTTPS (``integrations.github[].apps``).

For a clone URL ``https://HOST/OWNER/REPO`` the first app of the host's entry that is installed for
the repository (``GET /repos/OWNER/REPO/installation``, asked with the app's RS256 JWT) and whose
``allowedInstallationOwners`` admits OWNER mints an installation token
(``POST /app/installations/ID/access_tokens``), sent as ``x-access-token`` basic authentication like a
personal access token. Tokens are kept per process until five minutes before they expire. When no
app is installed for the owner the entry's ``token`` is used; without one the clone fails saying so.
Tokens, keys and JWTs travel only in memory and in git's environment (``catalog.formats.readers``),
never on a command line or in a message.
"""

from __future__ import annotations

import base64
import threading
import time
from datetime import datetime
from urllib.parse import urlsplit

from .formats.readers.gitcommand import GitError
from .integrations import GitHubApp, GitHubIntegration
from .providers.base import ProviderError

# A token is used until this many seconds before GitHub says it expires (they last an hour).
REFRESH_MARGIN_SECONDS = 300
_DEFAULT_LIFETIME_SECONDS = 3600

_lock = threading.Lock()
# (host, app id, owner) → (Authorization value, monotonic time after which it is not used)
_tokens: dict[tuple[str, str, str], tuple[str, float]] = {}


def forget_tokens() -> None:
    """Drop every cached installation token (tests; a rotated app key)."""
    with _lock:
        _tokens.clear()


class InstallationTokens:
    """The ``AuthorizationSource`` of one ``integrations.github`` entry with apps."""

    def __init__(self, integration: GitHubIntegration) -> None:
        self.integration = integration
        self.apps = tuple(app for app in integration.apps if app.app_id and app.private_key)

    def authorization(self, url: str) -> str | None:
        """An installation token's header for the repository ``url`` names; None: use the entry's token."""
        owner, repository = _owner_and_repository(url)
        if owner is None or repository is None:
            return None
        skipped: list[str] = []
        for app in self.apps:
            if app.allowed_installation_owners and owner.lower() not in {
                allowed.lower() for allowed in app.allowed_installation_owners
            }:
                skipped.append(str(app.app_id))
                continue
            found = self._cached(app, owner) or self._mint(app, owner, repository)
            if found is not None:
                return found
        if self.integration.token is not None:
            return None
        apps = ", ".join(str(app.app_id) for app in self.apps)
        hint = f" (owner not in allowedInstallationOwners of app {', '.join(skipped)})" if skipped else ""
        raise GitError(
            f"no installation for owner {owner}: no GitHub App of integration {self.integration.label} "
            f"({apps}) is installed for {owner}/{repository} on {self.integration.host}{hint}"
        )

    def issued(self) -> tuple[str, ...]:
        with _lock:
            return tuple(value for (host, _, _), (value, _) in _tokens.items() if host == self.integration.host)

    def _cached(self, app: GitHubApp, owner: str) -> str | None:
        with _lock:
            found = _tokens.get((self.integration.host, str(app.app_id), owner.lower()))
        if found is not None and time.monotonic() < found[1]:
            return found[0]
        return None

    def _mint(self, app: GitHubApp, owner: str, repository: str) -> str | None:
        from .providers.forge_auth import GITHUB_HEADERS, app_jwt, github_api_base
        from .providers.forge_http import ForgeApi, NotFound

        label = f"{self.integration.label} app {app.app_id}"
        try:
            jwt = app_jwt(app)
            as_app = ForgeApi(
                github_api_base(self.integration),
                self.integration.host,
                self.integration.label,
                {**GITHUB_HEADERS, "Authorization": f"Bearer {jwt}"},
                (jwt,),
            )
            try:
                installation = as_app.get(f"/repos/{owner}/{repository}/installation")
            except NotFound:
                return None
            installation_id = installation.get("id") if isinstance(installation, dict) else None
            if not isinstance(installation_id, int):
                raise ProviderError(f"{self.integration.host} gave no installation id for {owner}/{repository}")
            answer = as_app.request("POST", as_app.url(f"/app/installations/{installation_id}/access_tokens")).body
        except ProviderError as error:
            if str(error).startswith("authentication failed"):  # 401/403 to the app's own JWT
                error = ProviderError(
                    f"{self.integration.host} refused the app's signed JWT: check appId and that privateKey is its key"
                )
            raise GitError(f"GitHub App of integration {label}: {error}") from None
        token = answer.get("token") if isinstance(answer, dict) else None
        if not isinstance(token, str) or not token:
            raise GitError(f"GitHub App of integration {label}: {self.integration.host} gave no installation token")
        value = "Basic " + base64.b64encode(f"x-access-token:{token}".encode()).decode()
        lifetime = _seconds_left(answer.get("expires_at"))
        with _lock:
            _tokens[(self.integration.host, str(app.app_id), owner.lower())] = (
                value,
                time.monotonic() + lifetime - REFRESH_MARGIN_SECONDS,
            )
        return value


def _owner_and_repository(url: str) -> tuple[str | None, str | None]:
    """``OWNER`` and ``REPO`` of ``https://HOST/OWNER/REPO(.git)(/...)``; Nones for any other path."""
    parts = [part for part in urlsplit(url).path.split("/") if part]
    if len(parts) < 2:
        return None, None
    return parts[0], parts[1].removesuffix(".git")


def _seconds_left(expires_at: object) -> float:
    """Seconds until GitHub's ``expires_at`` (ISO 8601, ``Z``); an hour when it is absent or unreadable."""
    if not isinstance(expires_at, str):
        return _DEFAULT_LIFETIME_SECONDS
    try:
        moment = datetime.fromisoformat(expires_at.replace("Z", "+00:00"))
    except ValueError:
        return _DEFAULT_LIFETIME_SECONDS
    return moment.timestamp() - time.time()

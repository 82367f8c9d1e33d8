"""Which API, with which credential, a provider calls for a forge host: from ``integrations:``.

GitHub: a GitHub App of the entry (``apps``: ``appId`` + ``privateKey``) installed on the organisation,
its installation token sent as ``Authorization: Bearer``; else the entry's ``token``; else anonymous.
GitLab: the entry's ``token`` as ``PRIVATE-TOKEN``. Default API bases are Backstage's: api.github.com
for github.com, ``https://HOST/api/v3`` for GitHub Enterprise, ``https://HOST/api/v4`` for GitLab.
"""

from __future__ import annotations

import base64
import json
import time

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from ..config import catalog_settings
from ..integrations import GitHubApp, GitHubIntegration, GitLabIntegration, Integration, integration_for_host
from .base import ProviderError
from .forge_http import ForgeApi, NotFound

GITHUB_HEADERS = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}


def find_integration(kind: str, host: str) -> Integration:
    """The first ``integrations.<kind>`` entry for ``host``; ``ProviderError`` when there is none."""
    candidates = tuple(item for item in catalog_settings()["INTEGRATIONS"] if item.kind == kind)
    found = integration_for_host(host, candidates)
    if found is None:
        raise ProviderError(f"configure an integration for {host} (under integrations.{kind} in app-config)")
    return found


def github_api(host: str, organization: str) -> ForgeApi:
    """A client for ``host``'s GitHub API, authenticated for ``organization``."""
    integration = find_integration("github", host)
    assert isinstance(integration, GitHubIntegration)
    base = github_api_base(integration)
    # As Backstage's credentials provider: an App installed on the organisation first, then the token.
    for app in (app for app in integration.apps if app.app_id and app.private_key):
        allowed = {owner.lower() for owner in app.allowed_installation_owners}
        if allowed and organization.lower() not in allowed:
            continue
        api = _installation_api(base, host, integration.label, app, organization)
        if api is not None:
            return api
    if integration.token is not None:
        token = integration.token.reveal()
        return ForgeApi(base, host, integration.label, {**GITHUB_HEADERS, "Authorization": f"Bearer {token}"}, (token,))
    if integration.apps:
        raise ProviderError(f"no GitHub App of integration {integration.label} is installed on {organization}")
    return ForgeApi(base, host, integration.label, dict(GITHUB_HEADERS))


def github_api_base(integration: GitHubIntegration) -> str:
    """``apiBaseUrl``, else Backstage's default: api.github.com, or ``https://HOST/api/v3``."""
    host = integration.host
    return integration.api_base_url or ("https://api.github.com" if host == "github.com" else f"https://{host}/api/v3")


def gitlab_api(host: str) -> ForgeApi:
    """A client for ``host``'s GitLab API with the integration's token."""
    integration = find_integration("gitlab", host)
    assert isinstance(integration, GitLabIntegration)
    base = integration.api_base_url or f"https://{host}/api/v4"
    headers = {"Accept": "application/json"}
    secrets: tuple[str, ...] = ()
    if integration.token is not None:
        token = integration.token.reveal()
        headers["PRIVATE-TOKEN"] = token
        secrets = (token,)
    return ForgeApi(base, host, integration.label, headers, secrets)


def app_jwt(app: GitHubApp, *, now: float | None = None) -> str:
    """The RS256 JWT a GitHub App signs to ask for installation tokens (valid nine minutes)."""
    assert app.private_key is not None
    issued = int(now if now is not None else time.time()) - 60  # GitHub allows for clock drift this way
    try:
        key = serialization.load_pem_private_key(app.private_key.reveal().encode(), password=None)
    except (ValueError, TypeError):
        raise ProviderError(f"the GitHub App {app.app_id} private key is not a PEM RSA key") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ProviderError(f"the GitHub App {app.app_id} private key is not an RSA key")
    header = _b64url(json.dumps({"alg": "RS256", "typ": "JWT"}).encode())
    payload = _b64url(json.dumps({"iat": issued, "exp": issued + 600, "iss": str(app.app_id)}).encode())
    signing_input = f"{header}.{payload}".encode()
    signature = key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    return f"{header}.{payload}.{_b64url(signature)}"


def _installation_api(base: str, host: str, label: str, app: GitHubApp, organization: str) -> ForgeApi | None:
    """A client with an installation token of ``app`` for ``organization``; None if it is not installed there."""
    token = app_jwt(app)
    as_app = ForgeApi(base, host, label, {**GITHUB_HEADERS, "Authorization": f"Bearer {token}"}, (token,))
    try:
        installation = as_app.get(f"/orgs/{organization}/installation")
    except NotFound:
        return None
    if not isinstance(installation, dict) or not isinstance(installation.get("id"), int):
        raise ProviderError(f"{host} gave no installation of GitHub App {app.app_id} for {organization}")
    answer = as_app.request("POST", as_app.url(f"/app/installations/{installation['id']}/access_tokens")).body
    access = answer.get("token") if isinstance(answer, dict) else None
    if not isinstance(access, str) or not access:
        raise ProviderError(f"{host} gave no installation token for GitHub App {app.app_id}")
    headers = {**GITHUB_HEADERS, "Authorization": f"Bearer {access}"}
    return ForgeApi(base, host, label, headers, (access, token))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

"""Single sign-on providers configured from the environment (read by ``portal.settings``).

Single sign-on providers are configured by environment variables alone, through allauth's
settings-based apps (``SOCIALACCOUNT_PROVIDERS[provider]["APPS"]``): no database rows to create.
A provider whose client id or secret is missing is left out, so it never shows on the sign-in page.
Every variable is described in ``docs/sign-in.md``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any


def _value(environ: Mapping[str, str], name: str) -> str:
    return (environ.get(name) or "").strip()


def _app(environ: Mapping[str, str], prefix: str) -> dict[str, Any] | None:
    """The client id and secret under ``AUTH_<PREFIX>_``, or None when either is missing."""
    client_id = _value(environ, f"AUTH_{prefix}_CLIENT_ID")
    secret = _value(environ, f"AUTH_{prefix}_CLIENT_SECRET")
    if not client_id or not secret:
        return None
    return {"client_id": client_id, "secret": secret, "key": ""}


def _https_url(environ: Mapping[str, str], name: str) -> str:
    """A provider's base URL; anything but an absolute http(s) URL is a configuration error."""
    url = _value(environ, name).rstrip("/")
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"environment variable {name}={url!r} must be an absolute https:// URL")
    return url


def social_providers(environ: Mapping[str, str] | None = None) -> dict[str, dict[str, Any]]:
    """allauth's ``SOCIALACCOUNT_PROVIDERS`` for every provider configured in ``environ``.

    OpenID Connect needs ``AUTH_OIDC_SERVER_URL`` (the issuer) besides its client; GitLab reads
    ``AUTH_GITLAB_URL`` for a self-hosted instance. Scopes ask for the email, which is what
    resolves the account to its catalog User entity.
    """
    environ = os.environ if environ is None else environ
    providers: dict[str, dict[str, Any]] = {}
    oidc = _app(environ, "OIDC")
    if oidc is not None:
        if not _value(environ, "AUTH_OIDC_SERVER_URL"):
            raise ValueError("AUTH_OIDC_CLIENT_ID is set but AUTH_OIDC_SERVER_URL (the issuer URL) is not")
        oidc.update(
            provider_id=_value(environ, "AUTH_OIDC_PROVIDER_ID") or "oidc",
            name=_value(environ, "AUTH_OIDC_NAME") or "OpenID Connect",
            settings={"server_url": _https_url(environ, "AUTH_OIDC_SERVER_URL")},
        )
        providers["openid_connect"] = {"APPS": [oidc], "SCOPE": ["openid", "profile", "email"]}
    github = _app(environ, "GITHUB")
    if github is not None:
        providers["github"] = {"APPS": [github], "SCOPE": ["read:user", "user:email"]}
    gitlab = _app(environ, "GITLAB")
    if gitlab is not None:
        if _value(environ, "AUTH_GITLAB_URL"):
            gitlab["settings"] = {"gitlab_url": _https_url(environ, "AUTH_GITLAB_URL")}
        providers["gitlab"] = {"APPS": [gitlab], "SCOPE": ["read_user"]}
    google = _app(environ, "GOOGLE")
    if google is not None:
        providers["google"] = {"APPS": [google], "SCOPE": ["profile", "email"]}
    return providers

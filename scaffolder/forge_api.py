"""A small JSON client for forge REST APIs (GitHub, GitLab) used by the publishers.

The API base URL comes from ``SCAFFOLDER["PUBLISHERS"]`` (never from a template). Before each
client is made the host is checked as the catalog checks git remotes: https only, and no loopback,
private or link-local address unless ``CATALOG["ALLOW_PRIVATE_ADDRESSES"]`` is on (self-hosted forges
on an internal network; tests on 127.0.0.1, where plain http is then allowed too). Redirects are not
followed, every request has a timeout, and the token never appears in an error message. TLS trusts
the system's CAs and those of ``GREENROOM_CA_BUNDLE``.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from catalog.config import reader_policy
from catalog.formats.readers.githttp import explain_http_failure
from catalog.formats.readers.httpfetch import FetchError, tls_context
from catalog.formats.readers.remotes import RemoteRefused
from catalog.formats.readers.remotes import check_api_url as check_http_api_url

from .actions.context import ActionError

TIMEOUT_SECONDS = 20
MAX_RESPONSE_BYTES = 5 * 1024 * 1024


class ForgeError(ActionError):
    """The forge answered with an error status; ``status`` and ``body`` (parsed JSON or text) are kept."""

    def __init__(self, message: str, status: int, body: Any) -> None:
        super().__init__(message)
        self.status = status
        self.body = body


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is answered as the 3xx error it is


def _opener() -> urllib.request.OpenerDirector:
    """No redirects; TLS trusting the system's CAs and those of GREENROOM_CA_BUNDLE."""
    try:
        context = tls_context(reader_policy().ca_bundle)
    except FetchError as error:
        raise ActionError(str(error)) from None
    return urllib.request.build_opener(_NoRedirect, urllib.request.HTTPSHandler(context=context))


def check_api_url(url: str) -> str:
    """``url`` without a trailing slash if the forge API may be called there; ``ActionError`` if not."""
    try:
        return check_http_api_url(url, allow_private_addresses=reader_policy().allow_private_addresses)
    except RemoteRefused as error:
        raise ActionError(f"forge API: {error}") from None


@dataclass(frozen=True)
class ForgeClient:
    """Calls ``base_url`` + path with the forge's auth header; answers parsed JSON."""

    base_url: str
    host: str
    headers: dict[str, str]
    token: str = ""

    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base_url + path, data=data, method=method)
        for name, value in {**self.headers, "Content-Type": "application/json", "User-Agent": "greenroom"}.items():
            request.add_header(name, value)
        try:
            with _opener().open(request, timeout=TIMEOUT_SECONDS) as response:
                return _parse(response.read(MAX_RESPONSE_BYTES + 1))
        except urllib.error.HTTPError as error:
            parsed = _parse(error.read(MAX_RESPONSE_BYTES + 1))
            raise ForgeError(
                self._redact(f"{self.host} answered {error.code} to {method} {path}: {_message(parsed)}"),
                error.code,
                parsed,
            ) from None
        except (urllib.error.URLError, OSError, ValueError) as error:
            reason = explain_http_failure(str(getattr(error, "reason", error)), self.base_url, reader_policy())
            raise ActionError(self._redact(f"could not reach the {self.host} API: {reason}")) from None

    def _redact(self, text: str) -> str:
        return text.replace(self.token, "***") if self.token else text


def github_client(base_url: str, host: str, token: str) -> ForgeClient:
    headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return ForgeClient(check_api_url(base_url), host, headers, token)


def gitlab_client(base_url: str, host: str, token: str) -> ForgeClient:
    headers = {"Accept": "application/json"}
    if token:
        headers["PRIVATE-TOKEN"] = token
    return ForgeClient(check_api_url(base_url), host, headers, token)


def _parse(raw: bytes) -> Any:
    if len(raw) > MAX_RESPONSE_BYTES:
        raise ValueError("the forge's answer is too large")
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace")[:300]


def _message(body: Any) -> str:
    """The forge's own words: GitHub's ``message`` (+ ``errors``), GitLab's ``message``/``error``."""
    if isinstance(body, dict):
        message = body.get("message") or body.get("error") or ""
        if isinstance(message, dict):  # GitLab: {"name": ["has already been taken"], ...}
            message = "; ".join(f"{key} {', '.join(map(str, value))}" for key, value in message.items())
        parts = [str(message)]
        for error in body.get("errors") or []:
            parts.append(str(error.get("message") or error) if isinstance(error, dict) else str(error))
        return "; ".join(part for part in parts if part)[:500] or json.dumps(body)[:300]
    return str(body or "no details")[:300]

"""Fetching one ``https://`` file from a host with an integration, under the git reader's rules.

Used for ``$text``/``$json``/``$yaml`` placeholders naming another host. Only hosts with an
integration are fetched (the URL comes from repository content, so an arbitrary host is refused),
with the integration's ``Authorization`` header. The host passes the same checks as a git remote
(``remotes.check_remote``: allowed hosts, public addresses unless private ones are allowed) and the
connection goes to the address checked, so a second DNS answer cannot differ. Redirects are not
followed; the answer is bounded in size and in time.
"""

from __future__ import annotations

import http.client
import ssl
import time
from urllib.parse import urlsplit

from .gitcommand import GitError
from .githttp import credential_for, explain_http_failure
from .pinned_http import PinnedHTTPSConnection
from .remotes import RemoteRefused, check_remote
from .results import ReaderPolicy
from .targets import GitTarget

FETCH_TIMEOUT_SECONDS = 20
FETCH_MAX_BYTES = 5 * 1024 * 1024


class FetchError(Exception):
    """The file could not be fetched; ``str()`` names the URL's host and is safe to show."""


class FetchRefused(FetchError):
    """The policy does not allow fetching this URL."""


def tls_context(ca_bundle: str | None) -> ssl.SSLContext:
    """The system's trusted CAs, plus those of ``ca_bundle`` (GREENROOM_CA_BUNDLE) when set."""
    context = ssl.create_default_context()
    if ca_bundle:
        try:
            context.load_verify_locations(cafile=ca_bundle)
        except (OSError, ssl.SSLError) as error:
            reason = error.strerror if isinstance(error, OSError) and error.strerror else error
            raise FetchError(f"cannot read GREENROOM_CA_BUNDLE {ca_bundle}: {reason}") from None
    return context


def fetch_https(
    url: str,
    policy: ReaderPolicy,
    *,
    max_bytes: int = FETCH_MAX_BYTES,
    timeout: float = FETCH_TIMEOUT_SECONDS,
) -> bytes:
    """The body of ``url``; ``FetchRefused`` when the policy forbids it, ``FetchError`` on failure."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname or parts.username or parts.password:
        raise FetchRefused(f"{url} is not an https URL with a host (and no user)")
    host = parts.hostname.lower()
    credential = credential_for(policy, url)
    if credential is None:
        raise FetchRefused(f"{parts.netloc} has no integration; configure one in integrations: of GREENROOM_CONFIG")
    try:
        port = parts.port or 443
    except ValueError:
        raise FetchRefused(f"{url} has an invalid port") from None
    try:
        checked = check_remote(GitTarget(url, None, "", "https", host=host, port=port), policy)
    except RemoteRefused as error:
        raise FetchRefused(str(error)) from None
    address = checked.pinned_address.strip("[]") if checked.pinned_address else host
    connection = PinnedHTTPSConnection(
        host, port, context=tls_context(policy.ca_bundle), timeout=timeout, pinned_address=address
    )
    headers = {"User-Agent": "greenroom", "Accept": "*/*"}
    try:
        authorization = credential.authorization_for(url)
    except GitError as error:
        raise FetchError(str(error)) from None
    if authorization:
        headers["Authorization"] = authorization
    deadline = time.monotonic() + timeout
    try:
        connection.request("GET", (parts.path or "/") + (f"?{parts.query}" if parts.query else ""), headers=headers)
        response = connection.getresponse()
        if response.status != 200:
            answer = f"{url} answered HTTP {response.status} {response.reason}"
            raise FetchError(explain_http_failure(answer, url, policy))
        declared = response.getheader("Content-Length")
        if declared and declared.isdigit() and int(declared) > max_bytes:
            raise FetchError(f"{url} is {declared} bytes, over the {max_bytes} limit")
        chunks, total = [], 0
        while chunk := response.read(64 * 1024):
            total += len(chunk)
            if total > max_bytes:
                raise FetchError(f"{url} is over the {max_bytes} byte limit")
            if time.monotonic() > deadline:
                raise FetchError(f"{url} took over {timeout:g}s")
            chunks.append(chunk)
        return b"".join(chunks)
    except (OSError, http.client.HTTPException) as error:
        raise FetchError(explain_http_failure(f"cannot fetch {url}: {error}", url, policy)) from None
    finally:
        connection.close()

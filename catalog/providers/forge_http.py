"""A read-only JSON client for forge APIs (GitHub, GitLab) used by the entity providers.

The API base comes from the host's ``integrations:`` entry. It is checked as git remotes are: http(s)
with a host, and no loopback, private or link-local address unless ``CATALOG["ALLOW_PRIVATE_ADDRESSES"]``
is on (plain http only then, and only to loopback); connections go to the address that was checked
(``catalog.formats.readers.pinned_http``). Redirects are not followed, each request has a timeout and a size limit,
requests and pagination links stay on the API's own origin (the token is never sent elsewhere), and
the credential is cut out of every message.
"""

from __future__ import annotations

import json
import logging
import re
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from email.message import Message
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

from ..config import reader_policy
from ..formats.readers.githttp import explain_http_failure
from ..formats.readers.httpfetch import FetchError, tls_context
from ..formats.readers.pinned_http import pinned_opener
from ..formats.readers.remotes import RemoteRefused, checked_api_address
from .base import ProviderError

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 20
MAX_RESPONSE_BYTES = 10 * 1024 * 1024
# A listing longer than this is a loop or a runaway server, not an organisation.
MAX_PAGES = 2000
_LINK = re.compile(r'<([^>]*)>\s*;\s*rel="?([^";]+)"?')


class NotFound(ProviderError):
    """The forge answered 404: the repository, file or group is not there (or not visible)."""


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Message
    body: Any


def next_link(headers: Message) -> str | None:
    """The ``rel="next"`` URL of an RFC 8288 ``Link`` header (GitHub's and GitLab's pagination)."""
    for value in headers.get_all("Link") or []:
        for url, rel in _LINK.findall(value):
            if "next" in rel.split():
                return url
    return None


def check_api_base(url: str) -> tuple[str, str]:
    """``url`` without a trailing slash and the address to call it at; ``ProviderError`` if refused."""
    try:
        return checked_api_address(url, allow_private_addresses=reader_policy().allow_private_addresses)
    except RemoteRefused as error:
        raise ProviderError(str(error)) from None


@dataclass
class ForgeApi:
    """GETs under ``base_url`` with ``headers``; ``host`` and ``label`` name the integration in errors."""

    base_url: str
    host: str
    label: str
    headers: dict[str, str]
    secrets: tuple[str, ...] = ()
    requests_made: int = field(default=0, compare=False)

    def __post_init__(self) -> None:
        self.base_url, address = check_api_base(self.base_url)
        try:
            context = tls_context(reader_policy().ca_bundle)
        except FetchError as error:
            raise ProviderError(str(error)) from None
        self._opener = pinned_opener(self.base_url, address, context)
        parts = urlsplit(self.base_url)
        self._origin = (parts.scheme, parts.netloc.lower())

    def url(self, path: str, params: Mapping[str, Any] | None = None) -> str:
        query = f"?{urlencode(params)}" if params else ""
        return f"{self.base_url}{path}{query}"

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.request("GET", self.url(path, params)).body

    def exists(self, path: str, params: Mapping[str, Any] | None = None) -> bool:
        """Whether ``path`` answers (HEAD); a 404 is ``False``, other errors raise."""
        try:
            self.request("HEAD", self.url(path, params))
        except NotFound:
            return False
        return True

    def paginate(self, path: str, params: Mapping[str, Any] | None = None) -> Iterator[Any]:
        """Every item of a paged list, following ``Link: rel="next"`` (or GitLab's ``X-Next-Page``)."""
        url: str | None = self.url(path, params)
        for _ in range(MAX_PAGES):
            if url is None:
                return
            answer = self.request("GET", url)
            if not isinstance(answer.body, list):
                raise ProviderError(f"{self.host} answered {path} with {type(answer.body).__name__}, not a list")
            yield from answer.body
            url = self._next_url(answer, url)
        raise ProviderError(f"{self.host} listed more than {MAX_PAGES} pages for {path}; refusing to go on")

    def _next_url(self, answer: Answer, current: str) -> str | None:
        link = next_link(answer.headers)
        if link is None and (answer.headers.get("X-Next-Page") or "").strip().isdigit():
            parts = urlsplit(current)
            query = re.sub(r"(^|&)page=\d+", "", parts.query).lstrip("&")
            page = answer.headers["X-Next-Page"].strip()
            link = f"{parts.scheme}://{parts.netloc}{parts.path}?{query}{'&' if query else ''}page={page}"
        if link is None:
            return None
        link = urljoin(current, link)
        parts = urlsplit(link)
        if (parts.scheme, parts.netloc.lower()) != self._origin:
            raise ProviderError(f"{self.host} sent a pagination link to another origin; refusing to follow it")
        return link

    def request(self, method: str, url: str, body: Any = None) -> Answer:
        """One request; ``body`` is sent as JSON. Only URLs on the API's origin are asked."""
        parts = urlsplit(url)
        if (parts.scheme, parts.netloc.lower()) != self._origin:
            raise ProviderError(f"refusing to send the {self.host} credential to another origin")
        data = json.dumps(body).encode() if body is not None else (b"" if method == "POST" else None)
        request = urllib.request.Request(url, data=data, method=method)
        headers = {**self.headers, "User-Agent": "greenroom"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        for name, value in headers.items():
            request.add_header(name, value)
        self.requests_made += 1
        try:
            with self._opener.open(request, timeout=TIMEOUT_SECONDS) as response:
                return Answer(response.status, response.headers, self._parse(response.read(MAX_RESPONSE_BYTES + 1)))
        except urllib.error.HTTPError as error:
            body = self._parse(error.read(MAX_RESPONSE_BYTES + 1), strict=False)
            raise self._failure(method, url, error.code, error.headers, body) from None
        except (urllib.error.URLError, OSError) as error:
            reason = explain_http_failure(str(getattr(error, "reason", error)), url, reader_policy())
            raise ProviderError(self.redact(f"could not reach the {self.host} API: {reason}")) from None

    def _failure(self, method: str, url: str, status: int, headers: Message, body: Any) -> ProviderError:
        path = urlsplit(url).path
        # GitHub's primary limit empties X-RateLimit-Remaining; its secondary limits send Retry-After.
        if status == 429 or (
            status == 403 and (headers.get("X-RateLimit-Remaining") == "0" or "Retry-After" in headers)
        ):
            reset = headers.get("X-RateLimit-Reset") or headers.get("RateLimit-Reset")
            wait = headers.get("Retry-After")
            when = f"; the limit resets at {reset} (epoch seconds)" if reset else ""
            when = when or (f"; retry after {wait} seconds" if wait else "")
            return ProviderError(f"rate limit reached on {self.host} (integration {self.label}){when}")
        if status in (401, 403):
            logger.warning("%s answered %s to %s %s", self.host, status, method, path)
            return ProviderError(f"authentication failed for {self.host} (integration {self.label})")
        message = self.redact(f"{self.host} answered {status} to {method} {path}: {_message(body)}")
        return NotFound(message) if status == 404 else ProviderError(message)

    def _parse(self, raw: bytes, *, strict: bool = True) -> Any:
        if len(raw) > MAX_RESPONSE_BYTES:
            raise ProviderError(f"an answer from {self.host} is larger than {MAX_RESPONSE_BYTES} bytes")
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            if strict:
                raise ProviderError(f"{self.host} answered with something that is not JSON") from None
            return raw.decode("utf-8", "replace")[:300]

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            if secret:
                text = text.replace(secret, "***")
        return text


def _message(body: Any) -> str:
    if isinstance(body, dict):
        return str(body.get("message") or body.get("error") or "no details")[:300]
    return str(body or "no details")[:300]

"""Git push webhooks from GitHub, GitLab and Gitea/Forgejo, and GitHub's ``repository`` events:
verifying them and reading the push or the repository.

Pure functions on headers and the raw body; the API view (``catalog/api/webhooks.py``) answers the
request and ``catalog/services/webhooks.py`` finds the locations a push concerns.

Verification, always against the raw body before any parsing, every comparison in constant time:

- GitHub: ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>``.
- Gitea and Forgejo: ``X-Gitea-Signature`` / ``X-Forgejo-Signature``: the hex HMAC-SHA256 alone.
- GitLab: ``X-Gitlab-Token`` carries the secret itself.

Gitea also sends ``X-GitHub-Event`` and ``X-Gogs-Event`` for compatibility, so its own headers are
looked at first.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from portal.api.json_body import UnreadableJson, load_json

GITHUB = "github"
GITLAB = "gitlab"
GITEA = "gitea"
PROVIDERS = (GITHUB, GITLAB, GITEA)

# Header names as Django's ``request.headers`` spells them (case-insensitive mapping).
_EVENT_HEADERS = (
    (GITEA, "X-Forgejo-Event"),
    (GITEA, "X-Gitea-Event"),
    (GITLAB, "X-Gitlab-Event"),
    (GITHUB, "X-GitHub-Event"),
)
_PUSH_EVENTS = {GITHUB: "push", GITLAB: "Push Hook", GITEA: "push"}
# GitHub ``repository`` actions after which a discovery provider's listing has changed.
REPOSITORY_ACTIONS = ("created", "deleted", "archived", "unarchived", "renamed", "transferred")
# GitLab system hook (``X-Gitlab-Event: System Hook``) project events, as the GitHub actions above.
GITLAB_PROJECT_EVENTS = {
    "project_create": "created",
    "project_destroy": "deleted",
    "project_rename": "renamed",
    "project_transfer": "transferred",
}
_BRANCH_PREFIX = "refs/heads/"
_SCP_LIKE = re.compile(r"(?:[^@/:]+@)?(?P<host>[^@/:]+|\[[^\]/]+\]):(?P<path>[^/].*)")


class WebhookError(ValueError):
    """A request that is not a usable webhook delivery; the message says why."""


class SignatureError(WebhookError):
    """The signature or token is missing or does not match the configured secret."""


class PayloadError(WebhookError):
    """The body is not JSON, or not the shape of the event it claims to be."""


@dataclass(frozen=True)
class PushEvent:
    """One push: the repository's URLs as the forge spells them, the branch and the new commit.

    ``branch`` is None when the push names no branch; ``default_branch`` is the repository's
    default branch when the payload tells it (GitHub, GitLab and Gitea all do).
    """

    repository_urls: set[str]
    branch: str | None
    commit: str | None
    default_branch: str | None = None
    provider: str = GITHUB
    repository: str = ""


@dataclass(frozen=True)
class RepositoryEvent:
    """A GitHub ``repository`` event: a repository created (or deleted, archived, renamed, ...).

    ``repository`` is the payload's repository object, the REST API's shape (what discovery
    providers' ``matches`` take); ``host`` is the host of its ``html_url``.
    """

    action: str
    organization: str
    host: str
    repository: dict[str, Any]

    @property
    def full_name(self) -> str:
        named = _text(self.repository.get("full_name")) or f"{self.organization}/{self.repository.get('name')}"
        return named[:200]


@dataclass(frozen=True)
class Delivery:
    """What a verified request is: a push or a repository event to act on, or an event to ignore."""

    provider: str
    event: str
    push: PushEvent | None = None
    reason: str = field(default="")
    repository_event: RepositoryEvent | None = None


def detect_provider(headers: Mapping[str, str]) -> tuple[str, str]:
    """Return ``(provider, event name)`` from the event headers; raise ``PayloadError`` if none."""
    for provider, header in _EVENT_HEADERS:
        event = headers.get(header)
        if event:
            return provider, event.strip()
    raise PayloadError(
        "not a git webhook: expected an X-GitHub-Event, X-Gitlab-Event, X-Gitea-Event or X-Forgejo-Event header"
    )


def _hex_hmac(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(provider: str, headers: Mapping[str, str], body: bytes, secret: str) -> None:
    """Raise ``SignatureError`` unless the request carries a valid signature (or token) for ``secret``."""
    if not secret:
        raise SignatureError("no webhook secret is configured")
    if provider == GITLAB:
        token = headers.get("X-Gitlab-Token")
        if not token:
            raise SignatureError("missing X-Gitlab-Token header")
        if not hmac.compare_digest(token.encode(), secret.encode()):
            raise SignatureError("X-Gitlab-Token does not match the configured secret")
        return
    if provider == GITEA:
        header = "X-Forgejo-Signature" if headers.get("X-Forgejo-Signature") else "X-Gitea-Signature"
        expected = _hex_hmac(secret, body)
    else:
        header = "X-Hub-Signature-256"
        expected = "sha256=" + _hex_hmac(secret, body)
    given = headers.get(header, "")
    if not given:
        raise SignatureError(f"missing {header} header")
    if provider == GITHUB and not given.startswith("sha256="):
        raise SignatureError(f"{header} must be 'sha256=<hex digest>'")
    # The exact value the forge sends (no trimming or case folding, so nothing but the signature
    # passes), compared in constant time wherever the two differ.
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise SignatureError(f"{header} does not match the body signed with the configured secret")


def load_payload(body: bytes, content_type: str = "application/json") -> dict[str, Any]:
    """Decode the JSON payload; GitHub's form-encoded deliveries carry it in the ``payload`` field."""
    try:
        text = body.decode("utf-8")
        if content_type.split(";")[0].strip().lower() == "application/x-www-form-urlencoded":
            text = parse_qs(text, strict_parsing=False).get("payload", [""])[0]
    except UnicodeDecodeError as error:
        raise PayloadError(f"the body is not UTF-8: {error}") from None
    try:
        payload = load_json(text, what="the body")
    except UnreadableJson as error:
        raise PayloadError(str(error)) from None
    if not isinstance(payload, dict):
        raise PayloadError("the JSON body must be an object")
    return payload


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _section(payload: dict[str, Any], key: str) -> dict[str, Any]:
    value = payload.get(key)
    if not isinstance(value, dict):
        raise PayloadError(f"the push payload has no '{key}' object")
    return value


def parse_push(provider: str, payload: dict[str, Any]) -> PushEvent | None:
    """Read a push payload; None for a push that moves no branch (a tag)."""
    ref = _text(payload.get("ref"))
    if ref is None:
        raise PayloadError("the push payload has no 'ref'")
    if provider == GITLAB:
        repository = _section(payload, "project")
        url_keys = ("git_http_url", "git_ssh_url", "web_url", "http_url", "ssh_url")
        commit = _text(payload.get("checkout_sha")) or _text(payload.get("after"))
        name = _text(repository.get("path_with_namespace"))
    else:
        repository = _section(payload, "repository")
        url_keys = ("clone_url", "html_url", "ssh_url", "git_url")
        commit = _text(payload.get("after"))
        name = _text(repository.get("full_name"))
    urls = {url for url in (_text(repository.get(key)) for key in url_keys) if url}
    if not urls:
        raise PayloadError("the push payload names no repository URL")
    if not ref.startswith(_BRANCH_PREFIX):
        return None
    return PushEvent(
        repository_urls=urls,
        branch=ref.removeprefix(_BRANCH_PREFIX),
        commit=commit,
        default_branch=_text(repository.get("default_branch")),
        provider=provider,
        repository=name or sorted(urls)[0],
    )


def read_delivery(
    headers: Mapping[str, str],
    body: bytes,
    secret: str,
    *,
    content_type: str = "application/json",
    provider: str | None = None,
) -> Delivery:
    """Verify a delivery and read it. ``provider`` (from the URL) must agree with the headers if given.

    Raises ``SignatureError`` before the body is parsed at all, then ``PayloadError``.
    """
    detected, event = detect_provider(headers)
    if provider is not None and provider != detected:
        raise PayloadError(f"this endpoint takes {provider} webhooks, but the headers are {detected}'s")
    verify(detected, headers, body, secret)
    payload = load_payload(body, content_type)
    if detected == GITHUB and event == "repository":
        repository_event = parse_repository_event(payload)
        if repository_event.action not in REPOSITORY_ACTIONS:
            return Delivery(detected, event, reason=f"repository {repository_event.action!r} events are ignored")
        return Delivery(detected, event, repository_event=repository_event)
    if detected == GITLAB and event == "System Hook" and payload.get("event_name") in GITLAB_PROJECT_EVENTS:
        return Delivery(detected, event, repository_event=parse_gitlab_project_event(payload))
    if event != _PUSH_EVENTS[detected]:
        return Delivery(detected, event, reason=f"{event!r} events are acknowledged and ignored")
    push = parse_push(detected, payload)
    if push is None:
        return Delivery(detected, event, reason="the push moved no branch")
    return Delivery(detected, event, push=push)


def parse_repository_event(payload: dict[str, Any]) -> RepositoryEvent:
    """Read a GitHub ``repository`` event; ``PayloadError`` names the missing field."""
    action = _text(payload.get("action"))
    if action is None:
        raise PayloadError("the repository payload has no 'action'")
    repository = payload.get("repository")
    if not isinstance(repository, dict):
        raise PayloadError("the repository payload has no 'repository' object")
    if _text(repository.get("name")) is None:
        raise PayloadError("the repository payload has no 'repository.name'")
    topics = repository.get("topics", [])
    if not isinstance(topics, list) or not all(isinstance(topic, str) for topic in topics):
        raise PayloadError("the repository payload's 'repository.topics' must be a list of strings")
    html_url = _text(repository.get("html_url"))
    parts = urlsplit(html_url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PayloadError("the repository payload has no http(s) 'repository.html_url'")
    organization = payload.get("organization") if isinstance(payload.get("organization"), dict) else {}
    owner = repository.get("owner") if isinstance(repository.get("owner"), dict) else {}
    login = _text(organization.get("login")) or _text(owner.get("login"))
    if login is None:
        raise PayloadError("the repository payload names no 'organization.login' or 'repository.owner.login'")
    return RepositoryEvent(action, login, parts.netloc.rpartition("@")[2].lower(), repository)


def parse_gitlab_project_event(payload: dict[str, Any]) -> RepositoryEvent:
    """Read a GitLab system hook ``project_*`` event; it names no URL, so ``host`` is empty (any)."""
    path = _text(payload.get("path_with_namespace"))
    if path is None or "/" not in path.strip("/"):
        raise PayloadError("the system hook payload has no 'path_with_namespace' of the form group/project")
    namespace, _, name = path.strip("/").rpartition("/")
    project = {"name": name, "full_name": path.strip("/"), "path_with_namespace": path.strip("/")}
    return RepositoryEvent(GITLAB_PROJECT_EVENTS[str(payload["event_name"])], namespace, "", project)


def repository_key(url: str) -> str | None:
    """``host/path`` of a repository URL, the same for its https, ssh, scp-like and web spellings.

    The host and path are lowercased (GitHub, GitLab and Gitea treat them case-insensitively), the
    port, user, ``.git`` suffix and trailing ``/`` dropped. None for local paths and ``file://``.
    """
    url = url.strip()
    if "://" in url:
        parts = urlsplit(url)
        if parts.scheme.lower() == "file":
            return None
        host, path = parts.hostname, parts.path
    else:
        match = _SCP_LIKE.fullmatch(url)
        if match is None:
            return None
        host, path = match.group("host").strip("[]"), match.group("path")
    path = path.lower().strip("/").removesuffix(".git").strip("/")
    if not host or not path:
        return None
    return f"{host.lower()}/{path}"

"""Checks on a value that follow from its ``ui:field``, beyond what JSON Schema can say.

Backstage's field extensions validate in the browser (an entity name must be a valid name, a
repository location must name a host and a repository). Greenroom renders forms on the server, so
the same rules run here, on every submission, whatever client sent it. Rules that need the catalog
(is this owner a real group?) live with the pickers in ``scaffolder.pickers``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode

from catalog.validation.formats import is_valid_object_name

# Field extensions the form renders. Any other ``ui:field`` is shown as a plain input, and named by
# ``unknown_ui_fields`` so a template author learns the form is not what they meant.
KNOWN_UI_FIELDS = frozenset({"EntityPicker", "OwnerPicker", "RepoUrlPicker", "EntityNamePicker", "Secret"})
KNOWN_UI_WIDGETS = frozenset(
    {"text", "textarea", "password", "select", "radio", "checkbox", "checkboxes", "hidden", "email", "updown"}
)
# The query keys a RepoUrlPicker value may carry besides ``owner`` and ``repo``, by host type.
REPO_URL_EXTRA_KEYS = ("organization", "workspace", "project")


@dataclass(frozen=True)
class RepoUrl:
    """A RepoUrlPicker value, ``host?owner=o&repo=r``, taken apart."""

    host: str
    owner: str
    repo: str
    extra: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        query = [("owner", self.owner), ("repo", self.repo), *self.extra]
        return f"{self.host}?{urlencode([(key, value) for key, value in query if value])}"


def parse_repo_url(value: str) -> RepoUrl:
    """Read ``github.com?owner=acme&repo=svc``; raises ValueError naming what is missing."""
    host, _, query = value.partition("?")
    host = host.strip()
    if not host or "/" in host or " " in host:
        raise ValueError("must start with a host name such as github.com")
    params = parse_qs(query, keep_blank_values=False)
    repo = (params.get("repo") or [""])[0].strip()
    owner = (params.get("owner") or [""])[0].strip()
    if not repo:
        raise ValueError("must name a repository (repo=...)")
    extra = tuple((key, params[key][0]) for key in REPO_URL_EXTRA_KEYS if params.get(key))
    if not owner and not extra:
        raise ValueError("must name the repository's owner (owner=...)")
    return RepoUrl(host=host, owner=owner, repo=repo, extra=extra)


def ui_options(ui: dict[str, Any]) -> dict[str, Any]:
    options = ui.get("ui:options")
    return options if isinstance(options, dict) else {}


def check_field(value: Any, ui: dict[str, Any]) -> str | None:
    """The message for a value its ``ui:field`` refuses, or None. Empty values are the schema's business."""
    if value in (None, ""):
        return None
    field = ui.get("ui:field")
    if field == "EntityNamePicker":
        if not is_valid_object_name(value):
            return "must be 1-63 characters of letters, digits and -_. , starting and ending with a letter or digit"
        return None
    if field == "RepoUrlPicker":
        return _check_repo_url(value, ui_options(ui))
    return None


def _check_repo_url(value: Any, options: dict[str, Any]) -> str | None:
    if not isinstance(value, str):
        return "must be a repository location such as github.com?owner=acme&repo=service"
    try:
        repo_url = parse_repo_url(value)
    except ValueError as error:
        return str(error)
    allowed_hosts = [str(host) for host in options.get("allowedHosts") or []]
    if allowed_hosts and repo_url.host not in allowed_hosts:
        return f"host {repo_url.host!r} is not allowed; use one of: {', '.join(allowed_hosts)}"
    allowed_owners = [str(owner) for owner in options.get("allowedOwners") or []]
    if allowed_owners and repo_url.owner not in allowed_owners:
        return f"owner {repo_url.owner!r} is not allowed; use one of: {', '.join(allowed_owners)}"
    allowed_repos = [str(repo) for repo in options.get("allowedRepos") or []]
    if allowed_repos and repo_url.repo not in allowed_repos:
        return f"repository {repo_url.repo!r} is not allowed; use one of: {', '.join(allowed_repos)}"
    return None

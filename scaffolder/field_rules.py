"""Checks on a value that follow from its ``ui:field``, beyond what JSON Schema can say.

Backstage's field extensions validate in the browser (an entity name must be a valid name, a
repository location must name a host and a repository). Greenroom renders forms on the server, so
the same rules run here, on every submission, whatever client sent it. Rules that need the catalog
(is this owner a real group?) live with the pickers in ``scaffolder.pickers``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode

from catalog.formats.refs import InvalidEntityRef, parse_entity_ref
from catalog.formats.validation.formats import is_valid_object_name

# Field extensions the form renders. Any other ``ui:field`` is shown as a plain input, and named by
# ``unknown_ui_fields`` so a template author learns the form is not what they meant.
KNOWN_UI_FIELDS = frozenset(
    {
        "EntityPicker",
        "OwnerPicker",
        "OwnedEntityPicker",
        "MultiEntityPicker",
        "MyGroupsPicker",
        "EntityTagsPicker",
        "RepoUrlPicker",
        "RepoBranchPicker",
        "EntityNamePicker",
        "Secret",
    }
)
KNOWN_UI_WIDGETS = frozenset(
    {"text", "textarea", "password", "select", "radio", "checkbox", "checkboxes", "hidden", "email", "updown"}
)
# The query keys a RepoUrlPicker value may carry besides ``owner`` and ``repo``, by host type.
REPO_URL_EXTRA_KEYS = ("organization", "workspace", "project")
# Backstage's EntityTagsPicker rule: lowercase letters, digits, ``+``, ``#`` and ``-``, at most 63.
TAG_PATTERN = re.compile(r"[a-z0-9+#-]{1,63}")
TAG_RULE = "must be at most 63 lowercase letters, digits, +, # or -"


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
    if field == "RepoBranchPicker":
        return _check_branch(value)
    if field == "EntityTagsPicker":
        return _check_items(value, _tag_problem)
    if field == "MultiEntityPicker":
        return _check_items(value, _ref_problem)
    return None


def is_valid_picker_tag(value: Any) -> bool:
    return isinstance(value, str) and TAG_PATTERN.fullmatch(value) is not None


def _check_items(value: Any, problem) -> str | None:
    """The first problem among a list value's items, naming the item."""
    if value == []:
        return None
    if not isinstance(value, list):
        return "must be a list"
    for item in value:
        message = problem(item)
        if message:
            return message
    return None


def _tag_problem(item: Any) -> str | None:
    if is_valid_picker_tag(item):
        return None
    shown = item if isinstance(item, str) else repr(item)
    return f"{_short(shown)!r} is not a valid tag: tags {TAG_RULE}"


def _ref_problem(item: Any) -> str | None:
    if not isinstance(item, str):
        return f"{_short(repr(item))} is not an entity reference"
    try:
        parse_entity_ref(item)
    except InvalidEntityRef:
        return f"{_short(item)!r} is not an entity reference such as kind:namespace/name"
    return None


def _check_branch(value: Any) -> str | None:
    # Imported here: the git publishers load the catalog's git runner, which the form's modules do without.
    from .actions.builtin.gitpush import is_branch_name

    if not isinstance(value, str) or not is_branch_name(value):
        return (
            "must be a branch name git accepts: no spaces, ~ ^ : ? * [ \\ or control characters, "
            "no '..', '//' or '@{', not starting with '/' or ending with '/', '.' or '.lock'"
        )
    return None


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


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

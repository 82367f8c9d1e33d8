"""``catalog.providers.github``: one ``Location`` per repository of a GitHub organisation.

Backstage's GitHub discovery rules: archived repositories and repositories without a default branch
are skipped; ``filters.repository`` is a regular expression anchored at both ends; a topic in
``filters.topic.exclude`` wins over ``include``; an empty ``visibility`` list allows all; forks are
allowed unless ``allowForks: false``. The target is ``<repo url>/blob/<branch>/<catalogPath>`` with
``filters.branch`` or the default branch. With ``validateLocationsExist`` only repositories that have
the file are emitted (checked with one contents request each); otherwise the catalog's optional
Location read finds out, as in Backstage. The single-entry form (``organization`` directly under
``github``) has the id ``default``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from .base import ProviderOutput, Schedule
from .config_values import Entry
from .entities import keep_valid, location_entity
from .forge_auth import github_api
from .forge_http import ForgeApi, NotFound

logger = logging.getLogger(__name__)

CONFIG_KEY = "github"
_KEYS = {"host", "organization", "catalogPath", "filters", "validateLocationsExist", "schedule"}
_FILTER_KEYS = {"branch", "repository", "allowForks", "topic", "visibility"}
_VISIBILITIES = {"public", "private", "internal"}


@dataclass(frozen=True)
class GitHubDiscoveryProvider:
    """One ``catalog.providers.github.<id>`` entry."""

    provider_id: str
    schedule: Schedule | None
    host: str
    organization: str
    catalog_path: str = "/catalog-info.yaml"
    branch: str | None = None
    repository: re.Pattern[str] | None = None
    allow_forks: bool = True
    topic_include: tuple[str, ...] = ()
    topic_exclude: tuple[str, ...] = ()
    visibility: tuple[str, ...] = ()
    validate_locations_exist: bool = False

    def read(self) -> ProviderOutput:
        api = github_api(self.host, self.organization)
        repositories = self._list(api)
        matching = [repository for repository in repositories if self.matches(repository)]
        if self.validate_locations_exist:
            matching = [repository for repository in matching if self._has_file(api, repository)]
        entities, skipped = keep_valid([location_entity(self.target(repository)) for repository in matching])
        note = (
            f"read {len(repositories)} repositories of {self.organization} on {self.host}, "
            f"{len(entities)} matching, in {api.requests_made} requests"
        )
        logger.info("%s: %s", self.provider_id, note)
        return ProviderOutput(entities, [note, *skipped])

    def _list(self, api: ForgeApi) -> list[dict[str, Any]]:
        params = {"per_page": 100, "type": "all"}
        try:
            listed = list(api.paginate(f"/orgs/{quote(self.organization)}/repos", params))
        except NotFound:
            # A user account rather than an organisation, which Backstage's repositoryOwner query also reads.
            listed = list(api.paginate(f"/users/{quote(self.organization)}/repos", {"per_page": 100}))
        return [item for item in listed if isinstance(item, dict) and isinstance(item.get("name"), str)]

    def matches(self, repository: dict[str, Any]) -> bool:
        """Backstage's filters, in its order; archived and empty repositories never match."""
        if repository.get("archived") or not repository.get("default_branch"):
            return False
        if self.repository is not None and not self.repository.match(repository["name"]):
            return False
        topics = set(repository.get("topics") or [])
        if self.topic_exclude and topics & set(self.topic_exclude):
            return False
        if self.topic_include and not topics & set(self.topic_include):
            return False
        if not self.allow_forks and repository.get("fork"):
            return False
        visibility = repository.get("visibility") or ("private" if repository.get("private") else "public")
        return not self.visibility or visibility in self.visibility

    def branch_of(self, repository: dict[str, Any]) -> str:
        return self.branch or repository.get("default_branch") or "-"

    def target(self, repository: dict[str, Any]) -> str:
        url = repository.get("html_url") or f"https://{self.host}/{self.organization}/{repository['name']}"
        return f"{url}/blob/{self.branch_of(repository)}/{self.catalog_path.lstrip('/')}"

    def _has_file(self, api: ForgeApi, repository: dict[str, Any]) -> bool:
        path = quote(self.catalog_path.lstrip("/"))
        owner = (repository.get("owner") or {}).get("login") or self.organization
        contents = f"/repos/{quote(owner)}/{quote(repository['name'])}/contents/{path}"
        return api.exists(contents, {"ref": self.branch_of(repository)})


def providers_from_config(value: Any, *, path: str) -> list[GitHubDiscoveryProvider]:
    """Each entry of ``catalog.providers.github`` (the map of ids, or the single ``default`` entry)."""
    if isinstance(value, dict) and "organization" in value:
        return [_provider("default", Entry(value, path))]
    if not isinstance(value, dict):
        raise ValueError(f"{path} must be a mapping of provider ids")
    return [_provider(str(key), Entry(entry, f"{path}.{key}")) for key, entry in value.items()]


def _provider(provider_id: str, entry: Entry) -> GitHubDiscoveryProvider:
    entry.check_keys(_KEYS)
    filters = entry.child("filters")
    filters.check_keys(_FILTER_KEYS)
    topic = filters.child("topic")
    topic.check_keys({"include", "exclude"})
    visibility = filters.strings("visibility")
    for item in visibility:
        if item not in _VISIBILITIES:
            raise ValueError(f"{filters.path}.visibility: {item!r} is not one of {', '.join(sorted(_VISIBILITIES))}")
    catalog_path = entry.text("catalogPath", "/catalog-info.yaml") or "/catalog-info.yaml"
    validate = entry.flag("validateLocationsExist", False)
    if validate and "*" in catalog_path:
        raise ValueError(
            f"{entry.path}.catalogPath {catalog_path!r} has a wildcard, which validateLocationsExist cannot check"
        )
    return GitHubDiscoveryProvider(
        provider_id=f"{CONFIG_KEY}:{provider_id}",
        schedule=entry.schedule(),
        host=(entry.text("host", "github.com") or "github.com").lower(),
        organization=entry.required_text("organization"),
        catalog_path=catalog_path,
        branch=filters.text("branch"),
        repository=filters.pattern("repository", anchored=True),
        allow_forks=filters.flag("allowForks", True),
        topic_include=tuple(topic.strings("include")),
        topic_exclude=tuple(topic.strings("exclude")),
        visibility=tuple(visibility),
        validate_locations_exist=validate,
    )

"""``catalog.providers.gitlab``: GitLab discovery (``Location`` per project) and, with ``orgEnabled``, org.

Each entry gives the discovery provider ``gitlab:<id>`` and, when ``orgEnabled: true``, the org provider
``gitlab:<id>:org`` (:mod:`catalog.providers.gitlab_org`), as Backstage registers two providers for one
entry. Discovery follows Backstage's GitLab rules: the projects of ``group`` and its subgroups (the
whole instance without ``group``); ``projectPattern`` searched in ``path_with_namespace``; archived
projects skipped unless ``includeArchivedRepos``; forks skipped with ``skipForkedRepos``; projects in
``excludeRepos`` or under ``excludeGroups`` skipped; ``topics`` and ``membership`` passed to GitLab's
listing; the branch is
``branch``, else the project's default branch, else ``fallbackBranch`` (``master``; ``*`` skips
projects without a default branch); only projects that have ``catalogFile`` on that branch are emitted
(one HEAD request each); the target is ``<web_url>/-/blob/<branch>/<catalogFile>``.
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
from .forge_auth import gitlab_api
from .forge_http import ForgeApi
from .gitlab_org import GitLabOrgProvider

logger = logging.getLogger(__name__)

CONFIG_KEY = "gitlab"
_KEYS = {
    "host",
    "group",
    "branch",
    "fallbackBranch",
    "catalogFile",
    "entityFilename",
    "projectPattern",
    "userPattern",
    "groupPattern",
    "orgEnabled",
    "skipForkedRepos",
    "includeArchivedRepos",
    "excludeRepos",
    "excludeGroups",
    "topics",
    "membership",
    "schedule",
}
# In Backstage's schema; not acted on here (reported in each run's notes).
_UNSUPPORTED = {"restrictUsersToGroup", "relations", "includeUsersWithoutSeat"}


@dataclass(frozen=True)
class GitLabDiscoveryProvider:
    """The discovery half of one ``catalog.providers.gitlab.<id>`` entry."""

    provider_id: str
    schedule: Schedule | None
    host: str
    group: str | None = None
    branch: str | None = None
    fallback_branch: str = "master"
    catalog_file: str = "catalog-info.yaml"
    project_pattern: re.Pattern[str] | None = None
    skip_forked_repos: bool = False
    include_archived_repos: bool = False
    exclude_repos: tuple[str, ...] = ()
    exclude_groups: tuple[str, ...] = ()
    topics: str | None = None
    membership: bool = False
    ignored: tuple[str, ...] = ()

    def read(self) -> ProviderOutput:
        api = gitlab_api(self.host)
        # GitLab filters by topics (all of them) and membership itself, as Backstage asks it to.
        params: dict[str, str | int] = {"per_page": 100}
        if self.topics:
            params["topic"] = self.topics
        if self.membership:
            params["membership"] = "true"
        if self.group:
            listing = api.paginate(
                f"/groups/{quote(self.group, safe='')}/projects", {**params, "include_subgroups": "true"}
            )
        else:
            listing = api.paginate("/projects", params)
        projects = [item for item in listing if isinstance(item, dict) and isinstance(item.get("web_url"), str)]
        matching = [project for project in projects if self.matches(project) and self._has_file(api, project)]
        entities, skipped = keep_valid([location_entity(self.target(project)) for project in matching])
        notes = [
            f"read {len(projects)} projects of {self.group or 'the instance'} on {self.host}, "
            f"{len(entities)} with {self.catalog_file}, in {api.requests_made} requests"
        ]
        notes += [f"{key} is not supported and was ignored" for key in self.ignored] + skipped
        logger.info("%s: %s", self.provider_id, notes[0])
        return ProviderOutput(entities, notes)

    def branch_of(self, project: dict[str, Any]) -> str:
        return self.branch or project.get("default_branch") or self.fallback_branch

    def matches(self, project: dict[str, Any]) -> bool:
        path = str(project.get("path_with_namespace") or "")
        if self.project_pattern is not None and not self.project_pattern.search(path):
            return False
        if project.get("archived") and not self.include_archived_repos:
            return False
        if self.skip_forked_repos and "forked_from_project" in project:
            return False
        if path in self.exclude_repos or any(path.startswith(f"{group}/") for group in self.exclude_groups):
            return False
        return not (not self.branch and self.fallback_branch == "*" and not project.get("default_branch"))

    def target(self, project: dict[str, Any]) -> str:
        return f"{project['web_url']}/-/blob/{self.branch_of(project)}/{self.catalog_file}"

    def _has_file(self, api: ForgeApi, project: dict[str, Any]) -> bool:
        path = f"/projects/{project['id']}/repository/files/{quote(self.catalog_file, safe='')}"
        return api.exists(path, {"ref": self.branch_of(project)})


def providers_from_config(value: Any, *, path: str) -> list[GitLabDiscoveryProvider | GitLabOrgProvider]:
    """The providers of every ``catalog.providers.gitlab.<id>`` entry."""
    if not isinstance(value, dict):
        raise ValueError(f"{path} must be a mapping of provider ids")
    providers: list[GitLabDiscoveryProvider | GitLabOrgProvider] = []
    for key, data in value.items():
        entry = Entry(data, f"{path}.{key}")
        ignored = tuple(entry.check_keys(_KEYS, _UNSUPPORTED))
        host = entry.required_text("host").lower()
        group = (entry.text("group") or "").strip("/") or None
        schedule = entry.schedule()
        providers.append(
            GitLabDiscoveryProvider(
                provider_id=f"{CONFIG_KEY}:{key}",
                schedule=schedule,
                host=host,
                group=group,
                branch=entry.text("branch"),
                fallback_branch=entry.text("fallbackBranch", "master") or "master",
                catalog_file=entry.text("catalogFile") or entry.text("entityFilename") or "catalog-info.yaml",
                project_pattern=entry.pattern("projectPattern", anchored=False),
                skip_forked_repos=entry.flag("skipForkedRepos", False),
                include_archived_repos=entry.flag("includeArchivedRepos", False),
                exclude_repos=tuple(item.strip("/") for item in entry.strings("excludeRepos")),
                exclude_groups=tuple(item.strip("/") for item in entry.strings("excludeGroups")),
                topics=",".join(entry.strings("topics")) or None,
                membership=entry.flag("membership", False),
                ignored=ignored,
            )
        )
        if entry.flag("orgEnabled", False):
            if group is None:
                raise ValueError(f"{entry.path}.group is required with orgEnabled (whole-instance org is not read)")
            providers.append(
                GitLabOrgProvider(
                    provider_id=f"{CONFIG_KEY}:{key}:org",
                    schedule=schedule,
                    host=host,
                    group=group,
                    user_pattern=entry.pattern("userPattern", anchored=False),
                    group_pattern=entry.pattern("groupPattern", anchored=False),
                )
            )
    return providers

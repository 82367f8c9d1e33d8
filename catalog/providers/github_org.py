"""``catalog.providers.githubOrg``: the teams and members of GitHub organisations as Groups and Users.

Shaped as Backstage's multi-org GitHub provider shapes them: a Group per team, named by its slug in
the namespace of its organisation (lower case), with ``github.com/team-slug: org/slug``, the parent
team as ``parent``, child teams as ``children`` and the direct members as ``default/<login>``; a
User per member in the default namespace, named by login, with ``github.com/user-login``, the
profile (name, public email, avatar, bio as description) and ``memberOf`` listing the user's teams
in every configured organisation. A user in two organisations is emitted once.

Read with GitHub's GraphQL API, as Backstage reads it (:mod:`catalog.providers.github_graphql`):
one request per 100 members, one per 50 teams with their first 100 members, and one more per
further 100 members of a larger team. Both the list form and Backstage's single-entry form are
accepted.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from . import github_graphql as graphql
from .base import ProviderOutput, Schedule
from .config_values import Entry
from .entities import drop_empty, keep_valid, with_location
from .forge_auth import github_api
from .forge_http import ForgeApi

logger = logging.getLogger(__name__)

CONFIG_KEY = "githubOrg"
_KEYS = {"id", "githubUrl", "orgs", "schedule"}


@dataclass(frozen=True)
class GitHubOrgProvider:
    """One ``catalog.providers.githubOrg`` entry."""

    provider_id: str
    schedule: Schedule | None
    github_url: str
    orgs: tuple[str, ...]

    @property
    def host(self) -> str:
        return (urlsplit(self.github_url).hostname or "").lower()

    def read(self) -> ProviderOutput:
        users: dict[str, dict[str, Any]] = {}
        groups: list[dict[str, Any]] = []
        requests = 0
        for org in self.orgs:
            api = github_api(self.host, org)
            org_location = f"{self.github_url}/{org}"
            for member in graphql.nodes(api, graphql.MEMBERS, {"org": org}, ("organization", "membersWithRole")):
                if isinstance(member.get("login"), str) and member["login"] not in users:
                    users[member["login"]] = with_location(_user_entity(member), org_location)
            for team, logins, children in _teams(api, org):
                groups.append(with_location(_group_entity(org, team, logins, children, self.github_url), org_location))
                for login in logins:
                    if login in users:
                        users[login]["spec"]["memberOf"].append(f"group:{org.lower()}/{team['slug']}")
            requests += api.requests_made
        note = f"read {len(groups)} teams and {len(users)} members of {', '.join(self.orgs)} in {requests} requests"
        logger.info("%s: %s", self.provider_id, note)
        entities, skipped = keep_valid([*groups, *users.values()])
        return ProviderOutput(entities, [note, *skipped])


def _teams(api: ForgeApi, org: str) -> list[tuple[dict[str, Any], list[str], list[str]]]:
    """Each team of ``org`` with its direct members' logins and its child teams' slugs."""
    teams = [team for team in graphql.nodes(api, graphql.TEAMS, {"org": org}, ("organization", "teams")) if _slug(team)]
    children: dict[str, list[str]] = {}
    for team in teams:
        parent = _slug(team.get("parentTeam"))
        if parent:
            children.setdefault(parent, []).append(team["slug"])
    return [(team, graphql.team_members(api, org, team), children.get(team["slug"], [])) for team in teams]


def _slug(team: Any) -> str | None:
    return team["slug"] if isinstance(team, dict) and isinstance(team.get("slug"), str) and team["slug"] else None


def _group_entity(org: str, team: dict[str, Any], logins: list[str], children: list[str], url: str) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        "name": team["slug"],
        "namespace": org.lower(),
        "annotations": {
            "github.com/team-slug": team.get("combinedSlug") or f"{org}/{team['slug']}",
            "backstage.io/edit-url": team.get("editTeamUrl") or f"{url}/orgs/{org}/teams/{team['slug']}/edit",
        },
    }
    if team.get("description"):
        metadata["description"] = str(team["description"])
    spec: dict[str, Any] = {
        "type": "team",
        "profile": drop_empty({"displayName": team.get("name"), "picture": team.get("avatarUrl")}),
        "children": children,
        "members": [f"default/{login}" for login in logins],
    }
    parent = _slug(team.get("parentTeam"))
    if parent:
        spec["parent"] = parent
    return {"apiVersion": "backstage.io/v1alpha1", "kind": "Group", "metadata": metadata, "spec": spec}


def _user_entity(profile: dict[str, Any]) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": profile["login"], "annotations": {"github.com/user-login": profile["login"]}}
    if profile.get("bio"):
        metadata["description"] = str(profile["bio"])
    spec = {
        "profile": drop_empty(
            {"displayName": profile.get("name"), "email": profile.get("email"), "picture": profile.get("avatarUrl")}
        ),
        "memberOf": [],
    }
    return {"apiVersion": "backstage.io/v1alpha1", "kind": "User", "metadata": metadata, "spec": spec}


def providers_from_config(value: Any, *, path: str) -> list[GitHubOrgProvider]:
    """Each entry of ``catalog.providers.githubOrg`` (a list, or one mapping)."""
    if isinstance(value, dict):
        return [_provider(Entry(value, path))]
    if not isinstance(value, list):
        raise ValueError(f"{path} must be a list of entries with id, githubUrl and orgs")
    providers = [_provider(Entry(item, f"{path}[{index}]")) for index, item in enumerate(value)]
    seen: set[str] = set()
    for index, provider in enumerate(providers):
        if provider.provider_id in seen:
            raise ValueError(f"{path}[{index}].id {provider.provider_id.partition(':')[2]!r} is used twice")
        seen.add(provider.provider_id)
    return providers


def _provider(entry: Entry) -> GitHubOrgProvider:
    entry.check_keys(_KEYS)
    github_url = entry.required_text("githubUrl").rstrip("/")
    parts = urlsplit(github_url)
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.path not in ("", "/"):
        raise ValueError(f"{entry.path}.githubUrl must be the forge's address, such as https://github.com")
    orgs = entry.strings("orgs")
    if not orgs:
        # Backstage reads every org an App installation sees; Greenroom needs them named.
        raise ValueError(f"{entry.path}.orgs must list at least one organisation")
    return GitHubOrgProvider(
        provider_id=f"{CONFIG_KEY}:{entry.required_text('id')}",
        schedule=entry.schedule(),
        github_url=github_url,
        orgs=tuple(orgs),
    )

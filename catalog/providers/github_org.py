"""``catalog.providers.githubOrg``: the teams and members of GitHub organisations as Groups and Users.

Shaped as Backstage's multi-org GitHub provider shapes them: a Group per team, named by its slug in
the namespace of its organisation (lower case), with ``github.com/team-slug: org/slug``, the parent
team as ``parent``, child teams as ``children`` and the members as ``default/<login>``; a User per
member in the default namespace, named by login, with ``github.com/user-login`` and the profile
(name, email, avatar) of ``/users/{login}``, ``memberOf`` listing the user's teams in every
configured organisation. A user in two organisations is emitted once.

Read with GitHub's REST API: one listing of teams, one of each team's members, one of the members
and one profile request per member (GitHub's GraphQL API would need fewer requests; REST keeps the
recorded replays plain). Both the list form and Backstage's single-entry form are accepted.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from .base import ProviderOutput, Schedule
from .config_values import Entry
from .entities import drop_empty, keep_valid, with_location
from .forge_auth import github_api
from .forge_http import ForgeApi, NotFound

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
            org_groups, members = self._read_org(api, org)
            groups += org_groups
            for login, teams in members.items():
                if login not in users:
                    profile = self._profile(api, login)
                    if profile is None:
                        continue
                    users[login] = with_location(_user_entity(profile), f"{self.github_url}/{org}")
                users[login]["spec"]["memberOf"] += [f"group:{org.lower()}/{slug}" for slug in teams]
            requests += api.requests_made
        note = f"read {len(groups)} teams and {len(users)} members of {', '.join(self.orgs)} in {requests} requests"
        logger.info("%s: %s", self.provider_id, note)
        entities, skipped = keep_valid([*groups, *users.values()])
        return ProviderOutput(entities, [note, *skipped])

    def _read_org(self, api: ForgeApi, org: str) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
        """The org's Group entities, and each member's login → the slugs of the teams they are in."""
        teams = [team for team in api.paginate(f"/orgs/{quote(org)}/teams", {"per_page": 100}) if _slug(team)]
        members: dict[str, list[str]] = {}
        for item in api.paginate(f"/orgs/{quote(org)}/members", {"per_page": 100}):
            if isinstance(item, dict) and isinstance(item.get("login"), str):
                members.setdefault(item["login"], [])
        children: dict[str, list[str]] = {}
        for team in teams:
            parent = _slug(team.get("parent"))
            if parent:
                children.setdefault(parent, []).append(team["slug"])
        groups = []
        for team in teams:
            path = f"/orgs/{quote(org)}/teams/{quote(team['slug'])}/members"
            logins = [user["login"] for user in api.paginate(path, {"per_page": 100}) if isinstance(user, dict)]
            for login in logins:
                if login in members:
                    members[login].append(team["slug"])
            group = _group_entity(org, team, logins, children.get(team["slug"], []), self.github_url)
            groups.append(with_location(group, f"{self.github_url}/{org}"))
        return groups, members

    def _profile(self, api: ForgeApi, login: str) -> dict[str, Any] | None:
        try:
            profile = api.get(f"/users/{quote(login)}")
        except NotFound:
            return None  # left the organisation (or GitHub) between the two requests
        return profile if isinstance(profile, dict) and profile.get("login") == login else None


def _slug(team: Any) -> str | None:
    return team["slug"] if isinstance(team, dict) and isinstance(team.get("slug"), str) and team["slug"] else None


def _group_entity(org: str, team: dict[str, Any], logins: list[str], children: list[str], url: str) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        "name": team["slug"],
        "namespace": org.lower(),
        "annotations": {
            "github.com/team-slug": f"{org}/{team['slug']}",
            "backstage.io/edit-url": f"{url}/orgs/{org}/teams/{team['slug']}/edit",
        },
    }
    if team.get("description"):
        metadata["description"] = str(team["description"])
    spec: dict[str, Any] = {
        "type": "team",
        "profile": drop_empty({"displayName": team.get("name")}),
        "children": children,
        "members": [f"default/{login}" for login in logins],
    }
    parent = _slug(team.get("parent"))
    if parent:
        spec["parent"] = parent
    return {"apiVersion": "backstage.io/v1alpha1", "kind": "Group", "metadata": metadata, "spec": spec}


def _user_entity(profile: dict[str, Any]) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": profile["login"], "annotations": {"github.com/user-login": profile["login"]}}
    if profile.get("bio"):
        metadata["description"] = str(profile["bio"])
    spec = {
        "profile": drop_empty(
            {"displayName": profile.get("name"), "email": profile.get("email"), "picture": profile.get("avatar_url")}
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

"""GitHub's GraphQL API for the org provider: members and teams, 100 to a request.

The endpoint is ``https://api.github.com/graphql``, or ``https://HOST/api/graphql`` beside a GitHub
Enterprise ``/api/v3`` base (as Octokit derives it). GraphQL reports most failures in an ``errors``
list with status 200; those become :class:`ProviderError` with GitHub's words, the credential cut out.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .base import ProviderError
from .forge_http import MAX_PAGES, ForgeApi

MEMBERS = """
query members($org: String!, $cursor: String) {
  organization(login: $org) {
    membersWithRole(first: 100, after: $cursor) {
      pageInfo { hasNextPage endCursor }
      nodes { login name bio email avatarUrl }
    }
  }
}
"""

TEAMS = """
query teams($org: String!, $cursor: String) {
  organization(login: $org) {
    teams(first: 50, after: $cursor) {
      pageInfo { hasNextPage endCursor }
      nodes {
        slug combinedSlug name description avatarUrl editTeamUrl
        parentTeam { slug }
        members(first: 100, membership: IMMEDIATE) {
          pageInfo { hasNextPage endCursor }
          nodes { login }
        }
      }
    }
  }
}
"""

TEAM_MEMBERS = """
query teamMembers($org: String!, $team: String!, $cursor: String) {
  organization(login: $org) {
    team(slug: $team) {
      members(first: 100, after: $cursor, membership: IMMEDIATE) {
        pageInfo { hasNextPage endCursor }
        nodes { login }
      }
    }
  }
}
"""


def graphql_url(api: ForgeApi) -> str:
    base = api.base_url
    return base[: -len("/v3")] + "/graphql" if base.endswith("/api/v3") else f"{base}/graphql"


def run(api: ForgeApi, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    """The ``data`` of one query; GraphQL ``errors`` raise."""
    answer = api.request("POST", graphql_url(api), {"query": query, "variables": variables}).body
    if not isinstance(answer, dict):
        raise ProviderError(f"{api.host} answered a GraphQL query with something that is not an object")
    errors = answer.get("errors")
    if errors:
        first = errors[0] if isinstance(errors, list) and errors else errors
        message = first.get("message") if isinstance(first, dict) else first
        raise ProviderError(api.redact(f"{api.host} GraphQL: {str(message)[:300]}"))
    data = answer.get("data")
    if not isinstance(data, dict):
        raise ProviderError(f"{api.host} answered a GraphQL query without data")
    return data


def connection(data: Any, path: tuple[str, ...], host: str) -> dict[str, Any]:
    """The connection object at ``path`` in ``data`` (``organization.teams``)."""
    for key in path:
        if not isinstance(data, dict) or not isinstance(data.get(key), dict):
            raise ProviderError(f"{host} gave no {'.'.join(path[: path.index(key) + 1])} in its GraphQL answer")
        data = data[key]
    return data


def nodes(
    api: ForgeApi, query: str, variables: dict[str, Any], path: tuple[str, ...], cursor: str | None = None
) -> Iterator[dict[str, Any]]:
    """Every node of the connection at ``path`` (after ``cursor``), following ``pageInfo.endCursor``."""
    for _ in range(MAX_PAGES):
        found = connection(run(api, query, {**variables, "cursor": cursor}), path, api.host)
        yield from (node for node in found.get("nodes") or [] if isinstance(node, dict))
        page = found.get("pageInfo") or {}
        if not page.get("hasNextPage"):
            return
        cursor = page.get("endCursor")
        if not isinstance(cursor, str) or not cursor:
            raise ProviderError(f"{api.host} said there is a next page but gave no cursor")
    raise ProviderError(f"{api.host} listed more than {MAX_PAGES} pages for {'.'.join(path)}; refusing to go on")


def team_members(api: ForgeApi, org: str, team: dict[str, Any]) -> list[str]:
    """The logins of a team's direct members: the first 100 came with the team, the rest are asked for."""
    members = team.get("members") or {}
    logins = [node["login"] for node in members.get("nodes") or [] if isinstance(node, dict) and node.get("login")]
    page = members.get("pageInfo") or {}
    if page.get("hasNextPage"):
        cursor = page.get("endCursor")
        if not isinstance(cursor, str) or not cursor:
            raise ProviderError(f"{api.host} said team {team['slug']} has more members but gave no cursor")
        path = ("organization", "team", "members")
        variables = {"org": org, "team": team["slug"]}
        logins += [node["login"] for node in nodes(api, TEAM_MEMBERS, variables, path, cursor) if node.get("login")]
    return logins

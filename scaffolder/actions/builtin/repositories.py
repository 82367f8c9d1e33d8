"""Creating the repository through the forge's API before ``publish:github`` / ``publish:gitlab`` push.

GitHub: ``GET /users/{owner}`` tells an organisation from a user, then ``POST /orgs/{owner}/repos``
or ``POST /user/repos``. GitLab: the namespace id from ``GET /namespaces/{path}``, then
``POST /projects``. A repository that already exists is a step error unless the step sets
``skipExisting: true``, when the push goes to the existing repository.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from catalog.formats.safe_urls import safe_link_url

from ...forge_api import ForgeError, github_client, gitlab_client
from ..context import ActionContext, ActionError
from .gitpush import Remote


@dataclass
class CreatedRepository:
    """What the forge said about the repository: its page, and outputs beyond Backstage's common three."""

    web_url: str | None
    created: bool
    extra_outputs: dict[str, Any] = field(default_factory=dict)


def create_github_repository(ctx: ActionContext, remote: Remote, branch: str) -> CreatedRepository:
    client = github_client(remote.api_url or "", remote.host, remote.token)
    owner_path = quote(remote.owner, safe="")
    account = client.request("GET", f"/users/{owner_path}")
    is_organization = isinstance(account, dict) and account.get("type") == "Organization"
    visibility = ctx.input.get("repoVisibility") or "private"
    body: dict[str, Any] = {
        "name": remote.repo,
        "description": ctx.input.get("description") or "",
        "private": visibility != "public",
        "auto_init": False,
    }
    if is_organization:
        body["visibility"] = visibility  # "internal" exists for organisations only
    if ctx.input.get("homepage"):
        body["homepage"] = ctx.input["homepage"]
    path = f"/orgs/{owner_path}/repos" if is_organization else "/user/repos"
    try:
        answer = client.request("POST", path, body)
    except ForgeError as error:
        if not _github_exists(error):
            raise
        if not ctx.input.get("skipExisting"):
            raise ActionError(
                f"Repository {remote.owner}/{remote.repo} already exists on {remote.host}"
                " (set skipExisting: true to push to it)"
            ) from None
        ctx.log(f"Repository {remote.owner}/{remote.repo} already exists on {remote.host}; pushing to it")
        answer = client.request("GET", f"/repos/{owner_path}/{quote(remote.repo, safe='')}")
        return CreatedRepository(_page(answer, "html_url"), created=False)
    ctx.log(f"Created repository {remote.owner}/{remote.repo} on {remote.host} ({visibility})")
    return CreatedRepository(_page(answer, "html_url"), created=True)


def _github_exists(error: ForgeError) -> bool:
    if error.status != 422 or not isinstance(error.body, dict):
        return False
    texts = [str(error.body.get("message", ""))]
    texts += [str(item.get("message", "")) for item in error.body.get("errors") or [] if isinstance(item, dict)]
    return any("already exists" in text for text in texts)


def create_gitlab_project(ctx: ActionContext, remote: Remote, branch: str) -> CreatedRepository:
    client = gitlab_client(remote.api_url or "", remote.host, remote.token)
    try:
        namespace = client.request("GET", f"/namespaces/{quote(remote.owner, safe='')}")
    except ForgeError as error:
        if error.status == 404:
            raise ActionError(f"repoUrl: namespace {remote.owner!r} was not found on {remote.host}") from None
        raise
    if not isinstance(namespace, dict) or not isinstance(namespace.get("id"), int):
        raise ActionError(f"{remote.host} answered an unexpected namespace for {remote.owner!r}")
    body = {
        "name": remote.repo,
        "path": remote.repo,
        "namespace_id": namespace["id"],
        "visibility": ctx.input.get("repoVisibility") or "private",
        "description": ctx.input.get("description") or "",
        "default_branch": branch,
    }
    try:
        answer = client.request("POST", "/projects", body)
        created = True
        ctx.log(f"Created project {remote.owner}/{remote.repo} on {remote.host} ({body['visibility']})")
    except ForgeError as error:
        if not (error.status == 400 and "has already been taken" in str(error)):
            raise
        if not ctx.input.get("skipExisting"):
            raise ActionError(
                f"Project {remote.owner}/{remote.repo} already exists on {remote.host}"
                " (set skipExisting: true to push to it)"
            ) from None
        ctx.log(f"Project {remote.owner}/{remote.repo} already exists on {remote.host}; pushing to it")
        answer = client.request("GET", f"/projects/{quote(f'{remote.owner}/{remote.repo}', safe='')}")
        created = False
    project_id = answer.get("id") if isinstance(answer, dict) else None
    return CreatedRepository(_page(answer, "web_url"), created, {"projectId": project_id, "created": created})


def _page(answer: Any, key: str) -> str | None:
    return safe_link_url(answer.get(key)) or None if isinstance(answer, dict) else None

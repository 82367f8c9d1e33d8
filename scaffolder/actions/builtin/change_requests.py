"""``publish:github:pull-request`` and ``publish:gitlab:merge-request``: a branch on an existing repository.

The target branch is cloned from the configured remote, the workspace (or ``sourcePath``) is laid
over it at ``targetPath``, committed and pushed as ``branchName``; then the forge's API opens the
pull or merge request. Outputs have Backstage's names.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from catalog.formats.safe_urls import safe_link_url
from portal.registry import register_scaffolder_action

from ...forge_api import ForgeClient, ForgeError, github_client, gitlab_client
from ...workspace import WorkspaceError
from ..context import ActionContext, ActionError
from ..registry import Action
from .gitpush import Author, Remote, is_branch_name, push_branch, resolve_remote


def _prepare(ctx: ActionContext, provider: str) -> tuple[Remote, Any]:
    remote = resolve_remote(ctx.input["repoUrl"], provider, ctx.input.get("token"))
    if not remote.api_url:
        raise ActionError(f"repoUrl: no forge API is configured for {remote.host}")
    for key in ("branchName", "targetBranchName"):
        value = ctx.input.get(key)
        if value is not None and not is_branch_name(value):
            raise ActionError(f"{key}: {value!r} is not a valid git branch name")
    try:
        source = ctx.workspace.path(ctx.input.get("sourcePath"), field="sourcePath")
        ctx.workspace.check_entries()
        ctx.workspace.path(ctx.input.get("targetPath"), field="targetPath")  # the same rules apply in the repo
    except WorkspaceError as error:
        raise ActionError(str(error)) from None
    if not source.is_dir():
        raise ActionError(f"sourcePath: {ctx.input.get('sourcePath')!r} is not a directory in the workspace")
    return remote, source


def open_pull_request(ctx: ActionContext) -> None:
    remote, source = _prepare(ctx, "github")
    client = github_client(remote.api_url or "", remote.host, remote.token)
    repo_path = f"/repos/{quote(remote.owner, safe='')}/{quote(remote.repo, safe='')}"
    target = ctx.input.get("targetBranchName") or _default_branch(client, repo_path, "default_branch")
    branch = ctx.input["branchName"]
    author = Author.from_input(ctx, "commitMessage", ctx.input["title"])
    commit = push_branch(ctx, source, remote, target, branch, ctx.input.get("targetPath") or "", author)
    body = {
        "title": ctx.input["title"],
        "head": branch,
        "base": target,
        "body": ctx.input.get("description") or "",
        "draft": bool(ctx.input.get("draft")),
    }
    answer = _expect_object(client.request("POST", f"{repo_path}/pulls", body), remote)
    ctx.log(f"Opened pull request #{answer.get('number')} on {remote.owner}/{remote.repo} ({branch} → {target})")
    ctx.output("remoteUrl", safe_link_url(answer.get("html_url")) or "")
    ctx.output("pullRequestNumber", answer.get("number"))
    ctx.output("targetBranchName", target)
    ctx.output("commitHash", commit)


def open_merge_request(ctx: ActionContext) -> None:
    remote, source = _prepare(ctx, "gitlab")
    client = gitlab_client(remote.api_url or "", remote.host, remote.token)
    project_ref = ctx.input.get("projectid") or f"{remote.owner}/{remote.repo}"
    try:
        project = _expect_object(client.request("GET", f"/projects/{quote(str(project_ref), safe='')}"), remote)
    except ForgeError as error:
        if error.status == 404:
            raise ActionError(f"repoUrl: project {project_ref!r} was not found on {remote.host}") from None
        raise
    target = ctx.input.get("targetBranchName") or project.get("default_branch") or "master"
    branch = ctx.input["branchName"]
    author = Author.from_input(ctx, "commitMessage", ctx.input["title"])
    push_branch(ctx, source, remote, target, branch, ctx.input.get("targetPath") or "", author)
    body = {
        "source_branch": branch,
        "target_branch": target,
        "title": ctx.input["title"],
        "description": ctx.input.get("description") or "",
        "remove_source_branch": bool(ctx.input.get("removeSourceBranch")),
    }
    if ctx.input.get("labels"):
        body["labels"] = ",".join(ctx.input["labels"]) if isinstance(ctx.input["labels"], list) else ctx.input["labels"]
    answer = _expect_object(client.request("POST", f"/projects/{project['id']}/merge_requests", body), remote)
    ctx.log(f"Opened merge request !{answer.get('iid')} on {project.get('path_with_namespace') or project_ref}")
    ctx.output("mergeRequestUrl", safe_link_url(answer.get("web_url")) or "")
    ctx.output("projectid", project["id"])
    ctx.output("projectPath", project.get("path_with_namespace") or f"{remote.owner}/{remote.repo}")
    ctx.output("targetBranchName", target)


def _default_branch(client: ForgeClient, path: str, key: str) -> str:
    answer = client.request("GET", path)
    branch = answer.get(key) if isinstance(answer, dict) else None
    if not isinstance(branch, str) or not is_branch_name(branch):
        raise ActionError(f"{client.host} did not say which branch is the default; set targetBranchName")
    return branch


def _expect_object(answer: Any, remote: Remote) -> dict[str, Any]:
    if not isinstance(answer, dict) or "id" not in answer:
        raise ActionError(f"{remote.host} answered something other than the expected JSON object")
    return answer


_COMMON: dict[str, Any] = {
    "repoUrl": {"type": "string", "minLength": 1},
    "branchName": {"type": "string", "minLength": 1},
    "targetBranchName": {"type": "string"},
    "title": {"type": "string", "minLength": 1},
    "description": {"type": "string"},
    "sourcePath": {"type": "string"},
    "targetPath": {"type": "string"},
    "token": {"type": "string"},
    "commitMessage": {"type": "string"},
    "gitAuthorName": {"type": "string"},
    "gitAuthorEmail": {"type": "string"},
}

register_scaffolder_action(
    Action(
        id="publish:github:pull-request",
        handler=open_pull_request,
        description="Pushes the workspace as a branch of an existing GitHub repository and opens a pull request.",
        input_schema={
            "type": "object",
            "required": ["repoUrl", "branchName", "title"],
            "properties": {**_COMMON, "draft": {"type": "boolean"}},
            "additionalProperties": False,
        },
        output_schema={
            "type": "object",
            "properties": {
                "remoteUrl": {"type": "string"},
                "pullRequestNumber": {"type": "integer"},
                "targetBranchName": {"type": "string"},
                "commitHash": {"type": "string"},
            },
        },
    )
)
register_scaffolder_action(
    Action(
        id="publish:gitlab:merge-request",
        handler=open_merge_request,
        description="Pushes the workspace as a branch of an existing GitLab project and opens a merge request.",
        input_schema={
            "type": "object",
            "required": ["repoUrl", "branchName", "title"],
            "properties": {
                **_COMMON,
                "projectid": {"type": ["string", "integer"]},
                "removeSourceBranch": {"type": "boolean"},
                "labels": {"type": ["string", "array"], "items": {"type": "string"}},
                "commitAction": {"enum": ["create", "update", "auto"]},
            },
            "additionalProperties": False,
        },
        output_schema={
            "type": "object",
            "properties": {
                "mergeRequestUrl": {"type": "string"},
                "projectid": {"type": "integer"},
                "projectPath": {"type": "string"},
                "targetBranchName": {"type": "string"},
            },
        },
    )
)

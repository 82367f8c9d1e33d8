"""Git publishers: ``publish:git``, and ``publish:github``/``publish:gitlab`` with Backstage's ``repoUrl``.

The workspace (or ``sourcePath`` in it) becomes a new git repository with one commit, pushed to the
remote configured for the ``repoUrl`` host in ``SCAFFOLDER["PUBLISHERS"]`` (``gitpush``). For GitHub
and GitLab hosts the repository is first created through the forge's API (``repositories``), unless
the publisher sets ``"api": ""``.
"""

from __future__ import annotations

from typing import Any

from portal.registry import register_scaffolder_action

from ...workspace import WorkspaceError
from ..context import ActionContext, ActionError
from ..registry import Action
from .demo_publisher import create_demo_repository, demo_remote
from .gitpush import Author, Remote, is_branch_name, push_new_repository, resolve_remote
from .repositories import CreatedRepository, create_github_repository, create_gitlab_project

_DEFAULT_BRANCH = {"github": "main", "gitlab": "master", "git": "main"}
_CREATORS = {"github": create_github_repository, "gitlab": create_gitlab_project}


def contents_url(web_url: str | None, remote: Remote, branch: str) -> str:
    if web_url and remote.style == "github":
        return f"{web_url}/blob/{branch}"
    if web_url and remote.style == "gitlab":
        return f"{web_url}/-/blob/{branch}"
    return f"{remote.clone_url}#{branch}:"


def publish(ctx: ActionContext, provider: str) -> None:
    remote = (demo_remote(ctx.input["repoUrl"]) if provider == "git" else None) or resolve_remote(
        ctx.input["repoUrl"], provider, ctx.input.get("token")
    )
    branch = ctx.input.get("defaultBranch") or _DEFAULT_BRANCH[provider]
    if not is_branch_name(branch):
        raise ActionError(f"defaultBranch: {branch!r} is not a valid git branch name")
    try:
        source = ctx.workspace.path(ctx.input.get("sourcePath"), field="sourcePath")
        ctx.workspace.check_entries()
    except WorkspaceError as error:
        raise ActionError(str(error)) from None
    if not source.is_dir():
        raise ActionError(f"sourcePath: {ctx.input.get('sourcePath')!r} is not a directory in the workspace")
    ignored = sorted(set(ctx.input) - set(_KNOWN_INPUTS))
    if ignored:
        ctx.log(f"Ignoring inputs this publisher does not use: {', '.join(ignored)}")
    created = CreatedRepository(None, created=False)
    if remote.local_allowed:
        create_demo_repository(remote, branch)
    elif provider in _CREATORS and remote.api_url:
        created = _CREATORS[provider](ctx, remote, branch)
        ctx.check_cancelled()
    commit = push_new_repository(
        ctx, source, remote, branch, Author.from_input(ctx, "gitCommitMessage", "initial commit")
    )
    web_url = remote.web_url or created.web_url
    ctx.output("remoteUrl", web_url or remote.clone_url)
    ctx.output("repoContentsUrl", contents_url(web_url, remote, branch))
    ctx.output("commitHash", commit)
    for name, value in created.extra_outputs.items():
        ctx.output(name, value)
    ctx.log(f"Pushed {commit[:12]} to {remote.clone_url} ({branch})")


_KNOWN_INPUTS = ("repoUrl", "defaultBranch", "sourcePath", "gitCommitMessage", "gitAuthorName", "gitAuthorEmail",
                 "description", "repoVisibility", "token", "homepage", "skipExisting")  # fmt: skip
_INPUT_PROPERTIES: dict[str, Any] = {
    "repoUrl": {"type": "string", "minLength": 1, "description": "host?owner=o&repo=r, as RepoUrlPicker writes it"},
    "defaultBranch": {"type": "string", "pattern": r"^[A-Za-z0-9._/-]+$"},
    "sourcePath": {"type": "string"},
    "gitCommitMessage": {"type": "string"},
    "gitAuthorName": {"type": "string"},
    "gitAuthorEmail": {"type": "string"},
    "description": {"type": "string"},
    "repoVisibility": {"enum": ["private", "public", "internal"]},
    "token": {"type": "string"},
    "homepage": {"type": "string"},
    "skipExisting": {"type": "boolean", "description": "push to the repository if it already exists"},
}
_OUTPUT = {
    "type": "object",
    "properties": {
        "remoteUrl": {"type": "string"},
        "repoContentsUrl": {"type": "string"},
        "commitHash": {"type": "string"},
        "projectId": {"type": "integer", "description": "GitLab only"},
        "created": {"type": "boolean", "description": "GitLab only"},
    },
}

for _provider, _description in (
    ("git", "Pushes the workspace as a new repository to the remote configured for the repoUrl host."),
    ("github", "Creates a GitHub repository through the API and pushes the workspace to it."),
    ("gitlab", "Creates a GitLab project through the API and pushes the workspace to it."),
):
    register_scaffolder_action(
        Action(
            id=f"publish:{_provider}",
            handler=lambda ctx, provider=_provider: publish(ctx, provider),
            description=_description,
            # Unknown keys (e.g. allowedHosts in older templates) are accepted and logged as ignored,
            # as Backstage did before its inputs became strict.
            input_schema={"type": "object", "required": ["repoUrl"], "properties": _INPUT_PROPERTIES},
            output_schema=_OUTPUT,
        )
    )

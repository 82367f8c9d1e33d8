"""Git publishers: ``publish:git``, and ``publish:github``/``publish:gitlab`` with Backstage's ``repoUrl``.

The workspace (or ``sourcePath`` in it) becomes a new git repository with one commit, pushed with
GitPython to the remote configured for the ``repoUrl`` host in ``SCAFFOLDER["PUBLISHERS"]``. Tokens
travel in an HTTP header set through git's environment, never in a URL or a log line. No hook can
run (the hooks directory is removed, ``core.hooksPath=/dev/null``). Local remotes (``file://`` or a path)
are refused unless ``SCAFFOLDER["ALLOW_FILE_REMOTES"]`` is on.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from typing import Any

import git
from django.conf import settings

from ...templating import TemplateError, parse_repo_url
from ...workspace import WorkspaceError
from ..context import ActionContext, ActionError
from ..registry import Action, register_action

_NAME = re.compile(r"[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*")
_DEFAULT_BRANCH = {"github": "main", "gitlab": "master", "git": "main"}


@dataclass(frozen=True)
class Remote:
    clone_url: str
    web_url: str | None
    style: str
    token: str


def resolve_remote(repo_url: str, provider: str) -> Remote:
    """The configured remote for ``repo_url`` (``host?owner=o&repo=r``); ``ActionError`` if none or unsafe."""
    try:
        parsed = parse_repo_url(repo_url)
    except TemplateError as error:
        raise ActionError(f"repoUrl: {error}") from None
    owner = parsed.get("owner") or parsed.get("organization") or parsed.get("project") or ""
    repo = parsed["repo"]
    for part, value in (("owner", owner), ("repo", repo)):
        if value and (not _NAME.fullmatch(value) or ".." in value.split("/")):
            raise ActionError(f"repoUrl: {part} {value!r} may hold only letters, digits, '.', '_', '-' and '/'")
    for publisher in settings.SCAFFOLDER["PUBLISHERS"]:
        if publisher["host"].lower() != parsed["host"].lower():
            continue
        if provider != "git" and publisher.get("type", provider) != provider:
            raise ActionError(f"repoUrl: {parsed['host']} is configured as {publisher.get('type')}, not {provider}")
        clone_url = publisher["remote"].format(owner=owner, repo=repo)
        if _is_local(clone_url) and not settings.SCAFFOLDER["ALLOW_FILE_REMOTES"]:
            raise ActionError(f"repoUrl: local remotes are not allowed ({parsed['host']})")
        if clone_url.startswith(("http://", "git://", "ext::")) or "::" in clone_url.split("/")[0]:
            raise ActionError(f"repoUrl: the remote for {parsed['host']} must use https, ssh or (in tests) file")
        web = publisher.get("web")
        token = publisher.get("token") or os.environ.get(publisher.get("token_env") or "", "")
        return Remote(
            clone_url, web.format(owner=owner, repo=repo) if web else None, publisher.get("type", "git"), token
        )
    raise ActionError(f"repoUrl: no publisher is configured for host {parsed['host']!r}")


def _is_local(url: str) -> bool:
    return url.startswith(("file:", "/"))


def _git_environment(home: str, remote: Remote) -> dict[str, str]:
    config = [
        ("core.hooksPath", "/dev/null"),
        ("protocol.file.allow", "always" if _is_local(remote.clone_url) else "never"),
    ]
    if remote.token:
        credentials = base64.b64encode(f"x-access-token:{remote.token}".encode()).decode()
        config.append(("http.extraHeader", f"Authorization: Basic {credentials}"))
    environment = {
        "HOME": home,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_ALLOW_PROTOCOL": "https:ssh:file" if _is_local(remote.clone_url) else "https:ssh",
        "GIT_CONFIG_COUNT": str(len(config)),
    }
    for index, (key, value) in enumerate(config):
        environment[f"GIT_CONFIG_KEY_{index}"] = key
        environment[f"GIT_CONFIG_VALUE_{index}"] = value
    return environment


def contents_url(remote: Remote, branch: str) -> str:
    if remote.web_url and remote.style == "github":
        return f"{remote.web_url}/blob/{branch}"
    if remote.web_url and remote.style == "gitlab":
        return f"{remote.web_url}/-/blob/{branch}"
    return f"{remote.clone_url}#{branch}:"


def publish(ctx: ActionContext, provider: str) -> None:
    remote = resolve_remote(ctx.input["repoUrl"], provider)
    branch = ctx.input.get("defaultBranch") or _DEFAULT_BRANCH[provider]
    try:
        source = ctx.workspace.path(ctx.input.get("sourcePath"), field="sourcePath")
        ctx.workspace.check_links()
    except WorkspaceError as error:
        raise ActionError(str(error)) from None
    if not source.is_dir():
        raise ActionError(f"sourcePath: {ctx.input.get('sourcePath')!r} is not a directory in the workspace")
    ignored = sorted(set(ctx.input) - set(_KNOWN_INPUTS))
    if ignored:
        ctx.log(f"Ignoring inputs this publisher does not use: {', '.join(ignored)}")
    author = ctx.input.get("gitAuthorName") or "Scaffolder"
    email = ctx.input.get("gitAuthorEmail") or "scaffolder@greenroom.invalid"
    message = ctx.input.get("gitCommitMessage") or "initial commit"
    with tempfile.TemporaryDirectory(prefix="scaffolder-git-home-") as home:
        environment = _git_environment(home, remote)
        try:
            repository = git.Repo.init(source, initial_branch=branch)
            shutil.rmtree(source / ".git" / "hooks", ignore_errors=True)  # samples only, but none may run
            repository.git.update_environment(**environment)
            repository.git.add(A=True)
            repository.git.commit(
                "-m", message, "--allow-empty", "--no-verify", author=f"{author} <{email}>",
                env={"GIT_COMMITTER_NAME": author, "GIT_COMMITTER_EMAIL": email},
            )  # fmt: skip
            commit = repository.head.commit.hexsha
            ctx.check_cancelled()
            repository.git.push(remote.clone_url, f"HEAD:refs/heads/{branch}", "--no-verify")
        except git.GitCommandError as error:
            detail = (error.stderr or "").strip().replace(remote.token, "***") if remote.token else (error.stderr or "")
            raise ActionError(f"Could not publish to {remote.clone_url}: {detail.strip()[-500:]}") from None
    ctx.output("remoteUrl", remote.web_url or remote.clone_url)
    ctx.output("repoContentsUrl", contents_url(remote, branch))
    ctx.output("commitHash", commit)
    ctx.log(f"Pushed {commit[:12]} to {remote.clone_url} ({branch})")


_KNOWN_INPUTS = ("repoUrl", "defaultBranch", "sourcePath", "gitCommitMessage", "gitAuthorName", "gitAuthorEmail",
                 "description", "repoVisibility", "token")  # fmt: skip
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
}
_OUTPUT = {
    "type": "object",
    "properties": {
        "remoteUrl": {"type": "string"},
        "repoContentsUrl": {"type": "string"},
        "commitHash": {"type": "string"},
    },
}

for _provider, _description in (
    ("git", "Pushes the workspace as a new repository to the remote configured for the repoUrl host."),
    ("github", "Publishes the workspace to a configured GitHub remote."),
    ("gitlab", "Publishes the workspace to a configured GitLab remote."),
):
    register_action(
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

"""The git side of the publishers: which remote a ``repoUrl`` names, and pushing a commit there.

Remotes come only from ``SCAFFOLDER["PUBLISHERS"]``, chosen by the ``repoUrl`` host. Tokens travel in
an HTTP header set through git's environment, never in a URL or a log line. Every git command runs
through the catalog's ``run_git``: no system, global or inherited configuration, hooks and fsmonitor
off, and a git directory freshly made in a temporary directory outside the workspace (the workspace
is only ever the ``--work-tree``), so no file a template wrote configures git: a ``.gitattributes``
it ships names drivers that are defined nowhere, and nothing runs. Local remotes (``file://`` or a
path) are refused unless ``SCAFFOLDER["ALLOW_FILE_REMOTES"]`` is on.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from catalog.config import reader_policy
from catalog.formats.readers import ReaderPolicy
from catalog.formats.readers.gitcommand import GitError, run_git
from catalog.formats.readers.githttp import explain_http_failure, trusted_ca_file

from ...templating import TemplateError, parse_repo_url
from ..context import ActionContext, ActionError

_NAME = re.compile(r"[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*")
# Git's rules for ref names that matter here (git check-ref-format), plus a length cap.
_BRANCH = re.compile(r"(?!/)(?!.*(?:\.\.|//|@\{|/\.|\.lock/))[^\x00-\x20~^:?*\[\\\x7f]{1,200}(?<![/.])(?<!\.lock)")


@dataclass(frozen=True)
class Remote:
    """A configured remote for one repository; ``api_url`` is set when the forge's API may be called."""

    clone_url: str
    web_url: str | None
    style: str
    token: str
    host: str = ""
    owner: str = ""
    repo: str = ""
    api_url: str | None = None
    # The demo publisher's own bare repository (demo_publisher.py), allowed whatever ALLOW_FILE_REMOTES says.
    local_allowed: bool = False


def is_branch_name(value: str) -> bool:
    """Whether ``value`` is a branch name git accepts (``git check-ref-format --branch``), ``@`` aside."""
    return value != "@" and bool(_BRANCH.fullmatch(value))


def _default_api(provider: str, host: str) -> str | None:
    if provider == "github":
        return "https://api.github.com" if host == "github.com" else f"https://{host}/api/v3"
    if provider == "gitlab":
        return f"https://{host}/api/v4"
    return None


def resolve_remote(repo_url: str, provider: str, token: str | None = None) -> Remote:
    """The configured remote for ``repo_url`` (``host?owner=o&repo=r``); ``ActionError`` if none or unsafe.

    ``token`` (a step's ``token`` input) replaces the configured token, as in Backstage.
    """
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
        style = publisher.get("type", "git")
        if provider != "git" and style != provider:
            raise ActionError(f"repoUrl: {parsed['host']} is configured as {style}, not {provider}")
        clone_url = publisher["remote"].format(owner=owner, repo=repo)
        if _is_local(clone_url) and not settings.SCAFFOLDER["ALLOW_FILE_REMOTES"]:
            raise ActionError(f"repoUrl: local remotes are not allowed ({parsed['host']})")
        if clone_url.startswith(("http://", "git://", "ext::")) or "::" in clone_url.split("/")[0]:
            raise ActionError(f"repoUrl: the remote for {parsed['host']} must use https, ssh or (in tests) file")
        web = publisher.get("web")
        api = publisher["api"] if "api" in publisher else _default_api(style, publisher["host"].lower())
        return Remote(
            clone_url=clone_url,
            web_url=web.format(owner=owner, repo=repo) if web else None,
            style=style,
            token=token or publisher.get("token") or os.environ.get(publisher.get("token_env") or "", ""),
            host=publisher["host"].lower(),
            owner=owner,
            repo=repo,
            api_url=api or None,
        )
    raise ActionError(f"repoUrl: no publisher is configured for host {parsed['host']!r}")


def _is_local(url: str) -> bool:
    return url.startswith(("file:", "/"))


def _git_settings(remote: Remote) -> list[tuple[str, str]]:
    """Settings for one push that only this code chooses: the token's header and nothing else."""
    if not remote.token:
        return []
    user = "oauth2" if remote.style == "gitlab" else "x-access-token"
    credentials = base64.b64encode(f"{user}:{remote.token}".encode()).decode()
    return [("http.extraHeader", f"Authorization: Basic {credentials}")]


class _Git:
    """git for one publish, run by the catalog's hardened runner in a private temporary directory.

    The repository's git directory is made here, never in the workspace, so nothing a template
    wrote can be read as git configuration, hooks or attributes of that repository's own making.
    """

    def __init__(self, home: Path, remote: Remote, author: Author) -> None:
        self.home = home
        self.remote = remote
        self.identity = (author.name, author.email)
        catalog_policy = reader_policy()
        self.policy = ReaderPolicy(
            cache_dir=home,
            git_timeout_seconds=catalog_policy.git_timeout_seconds,
            allow_local_git=_is_local(remote.clone_url)
            and (remote.local_allowed or settings.SCAFFOLDER["ALLOW_FILE_REMOTES"]),
            ca_bundle=catalog_policy.ca_bundle,
        )
        self._config: list[tuple[str, str]] | None = None

    def __call__(self, *args: str, git_dir: Path | None = None, work_tree: Path | None = None) -> str:
        if self._config is None:
            # The CAs of GREENROOM_CA_BUNDLE besides the system's, as the catalog's reads trust them.
            ca_file = trusted_ca_file(self.policy) if self.remote.clone_url.startswith("https://") else None
            trust = [("http.sslCAInfo", str(ca_file))] if ca_file else []
            self._config = [*trust, *_git_settings(self.remote)]
        output = run_git(
            args, policy=self.policy, home=self.home, git_dir=git_dir, work_tree=work_tree,
            config=self._config, identity=self.identity,
        )  # fmt: skip
        return output.decode("utf-8", "replace").strip()


@dataclass(frozen=True)
class Author:
    name: str
    email: str
    message: str

    @classmethod
    def from_input(cls, ctx: ActionContext, message_key: str, default_message: str) -> Author:
        return cls(
            ctx.input.get("gitAuthorName") or "Scaffolder",
            ctx.input.get("gitAuthorEmail") or "scaffolder@greenroom.invalid",
            ctx.input.get(message_key) or default_message,
        )


def push_new_repository(ctx: ActionContext, source: Path, remote: Remote, branch: str, author: Author) -> str:
    """Commit the files of ``source`` as a new repository's first commit and push it to ``branch``; its hash."""
    with tempfile.TemporaryDirectory(prefix="scaffolder-git-") as directory:
        home, git_dir = Path(directory) / "home", Path(directory) / "repository.git"
        home.mkdir()
        git = _Git(home, remote, author)
        try:
            git("init", "-q", "--bare", "--template=", f"--initial-branch={branch}", str(git_dir))
            return _commit_and_push(ctx, git, git_dir, source, branch, author)
        except GitError as error:
            raise ActionError(f"Could not publish to {remote.clone_url}: {_git_detail(error, remote)}") from None


def push_branch(
    ctx: ActionContext, files: Path, remote: Remote, base: str, branch: str, target_path: str, author: Author
) -> str:
    """Clone ``base``, lay ``files`` over it at ``target_path``, commit and push as ``branch``; the hash."""
    with tempfile.TemporaryDirectory(prefix="scaffolder-git-") as directory:
        home, git_dir, checkout = (Path(directory) / name for name in ("home", "repository.git", "checkout"))
        home.mkdir()
        checkout.mkdir()
        git = _Git(home, remote, author)
        try:
            git(
                "clone", "-q", "--bare", "--template=", "--depth=1", "--no-tags", "--single-branch",
                f"--branch={base}", "--", remote.clone_url, str(git_dir),
            )  # fmt: skip
            git("checkout", "-q", "-f", "-b", branch, base, git_dir=git_dir, work_tree=checkout)
            _lay_over(files, checkout, target_path)
            return _commit_and_push(ctx, git, git_dir, checkout, branch, author)
        except GitError as error:
            raise ActionError(
                f"Could not push branch {branch} to {remote.clone_url}: {_git_detail(error, remote)}"
            ) from None


def _lay_over(files: Path, checkout: Path, target_path: str) -> None:
    """Copy ``files`` into ``checkout/target_path``, never through a symbolic link the repository holds."""
    for source in sorted(files.rglob("*")):
        relative = source.relative_to(files)
        if relative.parts[0] == ".git" or not source.is_file():
            continue
        destination = checkout.joinpath(*Path(target_path).parts, *relative.parts)
        current = checkout
        for part in destination.relative_to(checkout).parts:
            current = current / part
            if current.is_symlink():
                raise ActionError(f"the repository has a symbolic link at {current.relative_to(checkout)}; refused")
        try:
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, destination)
        except OSError as error:
            raise ActionError(f"could not write {destination.relative_to(checkout)}: {error.strerror}") from None


def _commit_and_push(ctx: ActionContext, git: _Git, git_dir: Path, files: Path, branch: str, author: Author) -> str:
    git("add", "-A", git_dir=git_dir, work_tree=files)
    git("commit", "-q", "--allow-empty", "--no-verify", "-m", author.message, git_dir=git_dir, work_tree=files)
    commit = git("rev-parse", "--verify", "HEAD", git_dir=git_dir)
    ctx.check_cancelled()
    git("push", "-q", "--no-verify", "--", git.remote.clone_url, f"HEAD:refs/heads/{branch}", git_dir=git_dir)
    return commit


def _git_detail(error: GitError, remote: Remote) -> str:
    detail = explain_http_failure(str(error).strip(), remote.clone_url, reader_policy())
    if remote.token:
        detail = detail.replace(remote.token, "***")
    return detail[-500:]

"""The demo publisher: ``publish:git`` to the host ``demo.local`` makes a bare repository on this machine.

The embedded demo has no forge to push to, so a run that names ``demo.local?owner=o&repo=r`` gets a
fresh bare repository at ``GREENROOM_DATA_DIR/demo-repos/<repo>.git`` and the push goes there. It is
on only when ``SCAFFOLDER["DEMO_PUBLISHER"]`` is (``manage.py serve`` turns it on with the demo). The
repository's path is made here from a checked name, never taken from a template, and must resolve
inside the demo folder. ``catalog:register`` may read what it made (``is_demo_repository``), since the
catalog admits that folder as a local root while the publisher is on (``admit_demo_repositories``).
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings

from catalog.config import admit_local_root
from catalog.formats.readers import ReaderPolicy
from catalog.formats.readers.gitcommand import GitError, run_git

from ...templating import TemplateError, parse_repo_url
from ..context import ActionError
from .gitpush import Remote

DEMO_HOST = "demo.local"
_REPO_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")


def is_enabled() -> bool:
    return bool(settings.SCAFFOLDER.get("DEMO_PUBLISHER"))


def demo_repositories() -> Path:
    """The folder the demo publisher's bare repositories live in."""
    return Path(settings.DATA_DIR).resolve() / "demo-repos"


def admit_demo_repositories() -> None:
    """Let the catalog read the demo repositories (a local root, local git on); only when the publisher is on."""
    if is_enabled():
        folder = demo_repositories()
        folder.mkdir(parents=True, exist_ok=True)
        admit_local_root(folder, git=True)


def demo_remote(repo_url: str) -> Remote | None:
    """The demo remote for ``repo_url``, or None when it names another host or the publisher is off."""
    try:
        parsed = parse_repo_url(repo_url)
    except TemplateError:
        return None
    if parsed["host"].lower() != DEMO_HOST or not is_enabled():
        return None
    repo = parsed.get("repo") or ""
    if not _REPO_NAME.fullmatch(repo) or repo.endswith((".", ".lock")):
        raise ActionError(
            f"repoUrl: the demo publisher needs a plain repository name (letters, digits, '.', '_', '-'), not {repo!r}"
        )
    folder = demo_repositories()
    path = (folder / f"{repo}.git").resolve()
    if path.parent != folder:
        raise ActionError(f"repoUrl: {repo!r} would publish outside {folder}; refused")
    return Remote(
        clone_url=path.as_uri(), web_url=None, style="git", token="", host=DEMO_HOST,
        owner=parsed.get("owner") or "", repo=repo, local_allowed=True,
    )  # fmt: skip


def create_demo_repository(remote: Remote, branch: str) -> None:
    """Make the empty bare repository ``remote`` names; an existing one is refused (pick another name)."""
    path = Path(unquote(urlsplit(remote.clone_url).path))
    if path.exists():
        raise ActionError(f"repoUrl: the demo repository {remote.repo!r} already exists ({path}); choose another name")
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="scaffolder-git-") as home:
        policy = ReaderPolicy(cache_dir=Path(home), allow_local_git=True)
        try:
            run_git(
                ("init", "-q", "--bare", "--template=", f"--initial-branch={branch}", str(path)),
                policy=policy, home=Path(home),
            )  # fmt: skip
        except GitError as error:
            raise ActionError(f"Could not create the demo repository {path}: {str(error).strip()[-300:]}") from None


def is_demo_repository(url: str) -> bool:
    """Whether a ``file://`` git target (``file:///…/x.git#main:path``) is a repository this publisher made."""
    if not is_enabled() or not url.startswith("file://"):
        return False
    path = Path(unquote(urlsplit(url.split("#", 1)[0]).path))
    try:
        real = path.resolve(strict=True)
    except OSError:
        return False
    return real.parent == demo_repositories() and real.suffix == ".git" and not path.is_symlink()

"""Bare, shallow mirrors of git remotes under the policy's cache directory, and reading from them.

One mirror per clone URL lives in ``<cache_dir>/<sha1 of the URL>``. It is created with a bare,
depth-1, single-branch clone and refreshed with depth-1 fetches of the branch asked for. Nothing is
ever checked out: file lists come from one ``git ls-tree`` and contents from one ``git cat-file
--batch``, so thousands of files cost two processes.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import re
import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .gitcommand import GitError, run_git
from .githttp import http_config
from .results import ReaderPolicy

_COMMIT = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_MISSING_BRANCH = ("not found in upstream", "couldn't find remote ref", "could not find remote branch")

MODE_SYMLINK = "120000"
MODE_SUBMODULE = "160000"


class BranchNotFound(GitError):
    """The remote has no branch of that name."""


@dataclass(frozen=True)
class TreeEntry:
    """One entry of a commit's tree as listed by ``git ls-tree -l``."""

    mode: str
    kind: str  # "blob", "tree" or "commit" (a submodule)
    oid: str
    size: int | None
    path: str


def mirror_dir(policy: ReaderPolicy, clone_url: str) -> Path:
    """Where the mirror of a clone URL lives."""
    return policy.cache_dir / hashlib.sha1(clone_url.encode(), usedforsecurity=False).hexdigest()


@contextlib.contextmanager
def open_mirror(
    policy: ReaderPolicy, clone_url: str, pinned: Sequence[str] = (), environment: Mapping[str, str] | None = None
) -> Iterator[Mirror]:
    """Lock the mirror of a clone URL against other readers and yield it with a scratch ``HOME``.

    ``environment`` goes to every git command run on the mirror (``gitssh.ssh_access``).
    """
    policy.cache_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    git_dir = mirror_dir(policy, clone_url)
    with (
        git_dir.with_suffix(".lock").open("a") as lock,
        tempfile.TemporaryDirectory(prefix="greenroom-git-home-") as home,
    ):
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield Mirror(policy, Path(home), clone_url, git_dir, tuple(pinned), dict(environment or {}))
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


class Mirror:
    """A locked mirror; obtain one through ``open_mirror``."""

    def __init__(
        self,
        policy: ReaderPolicy,
        home: Path,
        clone_url: str,
        git_dir: Path,
        pinned: tuple[str, ...],
        environment: dict[str, str] | None = None,
    ) -> None:
        self.policy = policy
        self.home = home
        self.clone_url = clone_url
        self.git_dir = git_dir
        self.pinned = pinned
        self.environment = environment or {}
        self._http_config: list[tuple[str, str]] | None = None

    def _git(self, *args: str, stdin: bytes | None = None, in_mirror: bool = True) -> bytes:
        if self._http_config is None:
            self._http_config = http_config(self.policy, self.clone_url)
        return run_git(
            args,
            policy=self.policy,
            home=self.home,
            git_dir=self.git_dir if in_mirror else None,
            stdin=stdin,
            pinned=self.pinned,
            config=self._http_config,
            extra_environment=self.environment,
        )

    @property
    def exists(self) -> bool:
        """Whether the mirror has been cloned."""
        return (self.git_dir / "HEAD").is_file()

    def update(self, branch: str | None) -> tuple[str, str]:
        """Bring the branch (or the remote's default branch) up to date; return (branch, commit sha)."""
        try:
            if not self.exists:
                branch = self._clone(branch)
            else:
                branch = branch or self._remote_default_branch()
                self._git(
                    "fetch", "--depth=1", "--no-tags", "--update-head-ok", "--no-write-fetch-head",
                    "--", self.clone_url, f"+refs/heads/{branch}:refs/heads/{branch}",
                )  # fmt: skip
        except GitError as error:
            if branch and any(marker in str(error) for marker in _MISSING_BRANCH):
                raise BranchNotFound(f"branch {branch!r} not found") from error
            raise
        return branch, self.resolve_branch(branch)

    def _clone(self, branch: str | None) -> str:
        staging = Path(tempfile.mkdtemp(prefix=f"{self.git_dir.name}.", dir=self.git_dir.parent))
        try:
            self._git(
                "clone", "--bare", "--depth=1", "--single-branch", "--no-tags", "--no-local",
                "--template=", *([f"--branch={branch}"] if branch else []),
                "--", self.clone_url, str(staging / "mirror"),
                in_mirror=False,
            )  # fmt: skip
            (staging / "mirror").rename(self.git_dir)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        if branch:
            return branch
        head = self._git("symbolic-ref", "--quiet", "HEAD").decode().strip()
        return head.removeprefix("refs/heads/")

    def _remote_default_branch(self) -> str:
        listing = self._git("ls-remote", "--symref", "--", self.clone_url, "HEAD").decode("utf-8", "replace")
        for line in listing.splitlines():
            if line.startswith("ref: refs/heads/") and line.endswith("\tHEAD"):
                return line[len("ref: refs/heads/") : -len("\tHEAD")]
        raise GitError("the remote does not say which branch is its default; name a branch")

    def resolve_branch(self, branch: str) -> str:
        """The commit sha the mirror holds for a branch."""
        sha = self._git("rev-parse", "--verify", "--quiet", f"refs/heads/{branch}^{{commit}}")
        return sha.decode().strip()

    def has_commit(self, commit: str) -> bool:
        """Whether the mirror still holds a commit (relative reads use the parent's exact commit)."""
        if not _COMMIT.fullmatch(commit) or not self.exists:
            return False
        try:
            self._git("cat-file", "-e", f"{commit}^{{commit}}")
        except GitError:
            return False
        return True

    def list_tree(self, commit: str, path: str | None = None, *, recursive: bool = False) -> list[TreeEntry]:
        """Entries of the commit's tree, all of them or those at (``recursive``: under) ``path``."""
        args = ["ls-tree", "-z", "-l", "--full-tree", *(["-r"] if recursive else []), commit]
        if path:
            args += ["--", path]
        entries = []
        for record in self._git(*args).split(b"\0"):
            if not record:
                continue
            meta, _, raw_path = record.partition(b"\t")
            mode, kind, oid, size = meta.decode().split()
            entries.append(
                TreeEntry(mode, kind, oid, None if size == "-" else int(size), raw_path.decode("utf-8", "replace"))
            )
        return entries

    def read_blobs(self, oids: Sequence[str]) -> dict[str, bytes]:
        """Contents of blobs by object id, read with a single ``git cat-file --batch``."""
        if not oids:
            return {}
        output = self._git("cat-file", "--batch", stdin="".join(f"{oid}\n" for oid in oids).encode())
        blobs: dict[str, bytes] = {}
        position = 0
        while position < len(output):
            header_end = output.index(b"\n", position)
            header = output[position:header_end].decode().split()
            if len(header) != 3:
                raise GitError(f"object {header[0] if header else '?'} is missing from the mirror")
            oid, _, size = header
            start = header_end + 1
            blobs[oid] = output[start : start + int(size)]
            position = start + int(size) + 1
        return blobs

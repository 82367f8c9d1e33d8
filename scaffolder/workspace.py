"""A task's working directory, and the only way actions reach files in it.

Every path an action names is relative to the workspace and checked lexically (no absolute paths,
no ``..``, no NUL, no git directory) and on disk (no symbolic link on the way), so neither a template
nor a value can read or write outside it. Links and git directories an action leaves behind are
refused after each step: a ``.git`` in the workspace would bring its own configuration (hooks,
``core.fsmonitor``, filter drivers) to the git commands that publish it.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from django.conf import settings

# Code points HFS+ ignores in names, so ``.g\u200cit`` is ``.git`` on a Mac (git's own fsck rule).
_IGNORED_BY_HFS = dict.fromkeys([*range(0x200C, 0x2010), *range(0x202A, 0x202F), *range(0x206A, 0x2070), 0xFEFF])


_NO_GIT = "which a workspace may not hold"


class WorkspaceError(ValueError):
    """A path that would leave the workspace, or a file that may not be there; the message says which."""


class Workspace:
    """A temporary directory owned by one task run; ``cleanup()`` removes it whatever happened."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    @classmethod
    def create(cls, task_id: str) -> Workspace:
        base = Path(settings.SCAFFOLDER["WORKING_DIRECTORY"] or tempfile.gettempdir())
        base.mkdir(parents=True, exist_ok=True)
        return cls(Path(tempfile.mkdtemp(prefix=f"scaffolder-{task_id}-", dir=base)))

    def cleanup(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def retire(self, task_id: str, *, keep: bool) -> None:
        """At the end of a run: move the workspace to ``kept_workspace(task_id)`` when ``keep`` and
        ``SCAFFOLDER["WORKSPACE_RETENTION"]`` is positive (for download), else delete it."""
        if not keep or settings.SCAFFOLDER.get("WORKSPACE_RETENTION", 0) <= 0:
            self.cleanup()
            return
        target = kept_workspace(task_id)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.rmtree(target, ignore_errors=True)
            shutil.move(self.root, target)
        except OSError:
            self.cleanup()

    def path(self, relative: str | None, *, field: str = "path") -> Path:
        """The absolute path of ``relative`` inside the workspace; ``WorkspaceError`` if it would leave it."""
        parts = clean_relative(relative, field=field)
        current = self.root
        for part in parts:
            current = current / part
            if current.is_symlink():
                raise WorkspaceError(f"{field} {relative!r} passes through a symbolic link; refused")
        return current

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def files(self, start: str | None = None) -> Iterator[Path]:
        """Regular files under ``start`` (sorted); a symbolic link or git directory anywhere is refused."""
        top = self.path(start)
        if not top.exists():
            return
        for directory, dirnames, filenames in os.walk(top):
            dirnames.sort()
            for name in sorted(filenames) + dirnames:
                full = Path(directory) / name
                if full.is_symlink():
                    raise WorkspaceError(f"{self.relative(full)!r} is a symbolic link; links are not allowed")
                if is_git_name(name):
                    raise WorkspaceError(f"{self.relative(full)!r} names a git directory, {_NO_GIT}")
            for name in sorted(filenames):
                yield Path(directory) / name

    def check_entries(self) -> None:
        """Refuse symbolic links and git directories anywhere in the workspace (an action may have made one)."""
        for _ in self.files():
            pass

    def write(self, relative: str, data: bytes, *, executable: bool = False, replace: bool = True) -> Path | None:
        """Write a file (parents made); an existing file is kept unless ``replace``."""
        target = self.path(relative)
        if target.exists() and not replace:
            return None
        target.parent.mkdir(parents=True, exist_ok=True)
        self.path(self.relative(target.parent) if target.parent != self.root else None)
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW
        descriptor = os.open(target, flags, 0o755 if executable else 0o644)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        return target

    def is_executable(self, path: Path) -> bool:
        return bool(path.stat().st_mode & stat.S_IXUSR)


def kept_workspace(task_id: str) -> Path:
    """Where a finished run's workspace is kept (``SCAFFOLDER["KEPT_WORKSPACES_DIRECTORY"]``/<task id>)."""
    return Path(settings.SCAFFOLDER["KEPT_WORKSPACES_DIRECTORY"]).resolve() / str(task_id)


def clean_relative(relative: str | None, *, field: str = "path") -> tuple[str, ...]:
    """The parts of a workspace-relative path; refuses absolute paths, ``..``, NUL and backslashes."""
    if relative is None or relative in ("", "."):
        return ()
    if not isinstance(relative, str):
        raise WorkspaceError(f"{field} must be a string")
    if "\x00" in relative or "\\" in relative:
        raise WorkspaceError(f"{field} {relative!r} contains a forbidden character")
    if relative.startswith("/") or (len(relative) > 1 and relative[1] == ":"):
        raise WorkspaceError(f"{field} {relative!r} is absolute; paths must stay inside the workspace")
    parts = [part for part in PurePosixPath(relative).parts if part not in ("", ".")]
    if ".." in parts:
        raise WorkspaceError(f"{field} {relative!r} contains '..'; paths must stay inside the workspace")
    for part in parts:
        if is_git_name(part):
            raise WorkspaceError(f"{field} {relative!r} names a git directory ({part!r}), {_NO_GIT}")
    return tuple(parts)


def is_git_name(name: str) -> bool:
    """Whether a path component is, or on some file system becomes, ``.git``.

    Windows drops trailing dots and spaces and knows ``GIT~1`` as the short name of ``.git``; HFS+
    ignores some invisible code points; both compare without case. A repository pushed with such a
    name would give whoever checks it out there a git directory of the template's making.
    """
    folded = name.translate(_IGNORED_BY_HFS).rstrip(". ").casefold()
    return folded in (".git", "git~1")

"""A task's working directory, and the only way actions reach files in it.

Every path an action names is relative to the workspace and checked lexically (no absolute paths,
no ``..``, no NUL) and on disk (no symbolic link on the way), so neither a template nor a value can
read or write outside it. Links an action leaves behind are refused after each step.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from django.conf import settings


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
        """Regular files under ``start`` (sorted); a symbolic link anywhere is refused."""
        top = self.path(start)
        if not top.exists():
            return
        for directory, dirnames, filenames in os.walk(top):
            dirnames.sort()
            for name in sorted(filenames) + dirnames:
                full = Path(directory) / name
                if full.is_symlink():
                    raise WorkspaceError(f"{self.relative(full)!r} is a symbolic link; links are not allowed")
            for name in sorted(filenames):
                full = Path(directory) / name
                if full.name == ".git" or ".git" in full.relative_to(self.root).parts:
                    continue
                yield full

    def check_links(self) -> None:
        """Refuse symbolic links anywhere in the workspace (an action may have created one)."""
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
    return tuple(parts)

"""A finished run's kept workspace: whether it can still be downloaded, the archive stream, the cleaner.

A run's workspace is moved aside when it ends (``Workspace.retire``) and kept for
``SCAFFOLDER["WORKSPACE_RETENTION"]`` seconds after ``finished_at``. The archive is built while it is
sent, one chunk at a time; it holds regular files only, each opened without following a symbolic
link, and nothing outside the workspace (a link, a device or a fifo is left out).
"""

from __future__ import annotations

import gzip
import io
import os
import shutil
import stat
import tarfile
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from .models import Task
from .workspace import kept_workspace

ARCHIVE_FORMATS = {"zip": "application/zip", "tar.gz": "application/gzip"}
_CHUNK = 64 * 1024


class WorkspaceUnavailable(Exception):
    """The workspace cannot be downloaded; ``status`` is the HTTP answer, the message says why."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class KeptWorkspace:
    root: Path
    expires_at: datetime


def retention() -> timedelta:
    return timedelta(seconds=max(int(settings.SCAFFOLDER.get("WORKSPACE_RETENTION", 0)), 0))


def _hours(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:g} hour" + ("" if hours == 1 else "s")


def kept_workspace_of(task: Task, now: datetime | None = None) -> KeptWorkspace:
    """The task's kept workspace; ``WorkspaceUnavailable`` (409, 404 or 410) when there is none to download."""
    if task.is_dry_run:
        raise WorkspaceUnavailable("A dry run keeps no workspace: its files are listed on the run's page.", 404)
    if not task.is_finished or task.finished_at is None:
        raise WorkspaceUnavailable("The run has not finished yet; its workspace can be downloaded when it has.", 409)
    if retention() == timedelta(0):
        raise WorkspaceUnavailable("Workspaces are not kept on this portal (SCAFFOLDER_WORKSPACE_RETENTION is 0).", 404)
    expires_at = task.finished_at + retention()
    root = kept_workspace(str(task.pk))
    if (now or timezone.now()) >= expires_at:
        shutil.rmtree(root, ignore_errors=True)
        raise WorkspaceUnavailable(
            f"The workspace of this run was kept for {_hours(retention())} after it finished "
            f"(SCAFFOLDER_WORKSPACE_RETENTION) and has been deleted.",
            410,
        )
    if not root.is_dir() or root.is_symlink():
        raise WorkspaceUnavailable("No workspace was kept for this run.", 404)
    return KeptWorkspace(root, expires_at)


def workspace_files(root: Path) -> Iterator[tuple[str, Path]]:
    """``(archive name, path)`` of every regular file under ``root``, sorted; links are never followed."""
    for directory, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(name for name in dirnames if not (Path(directory) / name).is_symlink())
        for name in sorted(filenames):
            path = Path(directory) / name
            if stat.S_ISREG(path.lstat().st_mode):
                yield path.relative_to(root).as_posix(), path


def _open_regular(path: Path) -> io.BufferedReader | None:
    """The file opened without following a link, or None if it is no longer a regular file."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        return None
    return os.fdopen(descriptor, "rb")


class _Chunks(io.RawIOBase):
    """A write-only, unseekable sink the archive writers fill and the response drains."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def drain(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def stream_archive(root: Path, archive_format: str, folder: str) -> Iterator[bytes]:
    """The workspace as a zip or tar.gz archive with every file under ``folder/``, chunk by chunk."""
    return (chunk for chunk in _archive_chunks(root, archive_format, folder) if chunk)


def _archive_chunks(root: Path, archive_format: str, folder: str) -> Iterator[bytes]:
    sink = _Chunks()
    if archive_format == "zip":
        with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, path in workspace_files(root):
                source = _open_regular(path)
                if source is None:
                    continue
                with source, archive.open(f"{folder}/{name}", "w", force_zip64=True) as target:
                    while chunk := source.read(_CHUNK):
                        target.write(chunk)
                        yield sink.drain()
        yield sink.drain()
        return
    # The tar stream is written here block by block (tarfile's own writer copies a whole file in
    # one call), so a large file is sent chunk by chunk like in the zip.
    with gzip.GzipFile(fileobj=sink, mode="wb", mtime=0) as compressed:
        for name, path in workspace_files(root):
            source = _open_regular(path)
            if source is None:
                continue
            with source:
                status = os.fstat(source.fileno())
                info = tarfile.TarInfo(f"{folder}/{name}")
                info.size, info.mtime = status.st_size, int(status.st_mtime)
                info.mode = 0o755 if status.st_mode & stat.S_IXUSR else 0o644
                compressed.write(info.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape"))
                remaining = info.size
                while remaining and (chunk := source.read(min(_CHUNK, remaining))):
                    compressed.write(chunk)
                    remaining -= len(chunk)
                    yield sink.drain()
                # A file that shrank while it was read is padded to the size its header announced.
                compressed.write(tarfile.NUL * (remaining + (-info.size % tarfile.BLOCKSIZE)))
            yield sink.drain()
        compressed.write(tarfile.NUL * 2 * tarfile.BLOCKSIZE)
    yield sink.drain()


def remove_expired_workspaces(now: datetime | None = None) -> int:
    """Delete kept workspaces past their retention, or whose task is gone; how many were deleted."""
    base = Path(settings.SCAFFOLDER["KEPT_WORKSPACES_DIRECTORY"])
    if not base.is_dir():
        return 0
    folders: dict[uuid.UUID, Path] = {}
    for entry in base.iterdir():
        try:
            folders[uuid.UUID(entry.name)] = entry
        except ValueError:
            continue
    cutoff = (now or timezone.now()) - retention()
    unfinished_or_recent = Q(finished_at__isnull=True) | Q(finished_at__gte=cutoff)
    kept = set(Task.objects.filter(unfinished_or_recent, pk__in=folders).values_list("pk", flat=True))
    removed = 0
    for task_id, folder in folders.items():
        if task_id in kept:
            continue
        if folder.is_symlink() or not folder.is_dir():
            folder.unlink(missing_ok=True)
        else:
            shutil.rmtree(folder, ignore_errors=True)
        removed += 1
    return removed

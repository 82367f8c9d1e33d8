"""Unpacking a site built elsewhere (``techdocs-cli generate`` output, as .tar.gz or .zip), as hostile input.

Only regular files and directories are accepted; links, devices, any path that is absolute or
climbs with ``..``, and names too long for a file system refuse the whole archive. The number of
members and their total unpacked size are capped, so a small archive cannot expand into a disk-filling one.
"""

from __future__ import annotations

import posixpath
import tarfile
import zipfile
from pathlib import Path
from typing import BinaryIO


class ArchiveRefused(Exception):
    """The archive cannot be published; ``str()`` names the member and the reason."""


# File systems refuse longer names (ENAMETOOLONG); checked first, so such a member refuses the
# archive by name instead of failing the write. The whole path is bounded well below PATH_MAX.
MAX_NAME_PART_BYTES = 255
MAX_NAME_BYTES = 1024


def _safe_name(name: str) -> str:
    normal = posixpath.normpath(name.replace("\\", "/"))
    if "\x00" in name or normal.startswith("/") or normal == ".." or normal.startswith("../"):
        raise ArchiveRefused(f"archive member {name!r} would be written outside the site")
    encoded = normal.encode("utf-8", "surrogateescape")
    if len(encoded) > MAX_NAME_BYTES or any(len(part) > MAX_NAME_PART_BYTES for part in encoded.split(b"/")):
        raise ArchiveRefused(
            f"archive member {name[:60]!r}… is named too long: at most {MAX_NAME_BYTES} bytes,"
            f" {MAX_NAME_PART_BYTES} per folder or file name"
        )
    # A single top-level folder (e.g. "site/") is accepted and stripped later.
    return "" if normal == "." else normal


def extract_archive(handle: BinaryIO, destination: Path, max_bytes: int, max_files: int) -> int:
    """Unpack a .tar.gz/.tgz/.tar or .zip into ``destination``; return the number of files."""
    start = handle.read(4)
    handle.seek(0)
    if start.startswith(b"PK"):
        count = _extract_zip(handle, destination, max_bytes, max_files)
    else:
        count = _extract_tar(handle, destination, max_bytes, max_files)
    _strip_single_folder(destination)
    return count


def _extract_tar(handle: BinaryIO, destination: Path, max_bytes: int, max_files: int) -> int:
    try:
        archive = tarfile.open(fileobj=handle, mode="r:*")  # noqa: SIM115 - closed below
    except (tarfile.TarError, OSError, EOFError) as error:
        raise ArchiveRefused(f"not a tar.gz or zip archive: {error}") from None
    with archive:
        total = count = 0
        members = []
        try:
            for member in archive:
                name = _safe_name(member.name)
                if member.isdir():
                    continue
                if not member.isfile():
                    raise ArchiveRefused(f"archive member {member.name!r} is a link or special file; not accepted")
                count += 1
                total += member.size
                if count > max_files:
                    raise ArchiveRefused(f"the archive has more than {max_files} files")
                if total > max_bytes:
                    raise ArchiveRefused(f"the archive unpacks to more than {max_bytes} bytes")
                members.append((name, member))
        except (tarfile.TarError, OSError, EOFError) as error:
            raise ArchiveRefused(f"the archive is damaged: {error}") from None
        for name, member in members:
            source = archive.extractfile(member)
            if source is None:
                raise ArchiveRefused(f"archive member {member.name!r} cannot be read")
            _write(destination, name, source.read(member.size + 1)[: member.size])
    return count


def _extract_zip(handle: BinaryIO, destination: Path, max_bytes: int, max_files: int) -> int:
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError) as error:
        raise ArchiveRefused(f"not a valid zip archive: {error}") from None
    with archive:
        infos = [info for info in archive.infolist() if not info.is_dir()]
        if len(infos) > max_files:
            raise ArchiveRefused(f"the archive has more than {max_files} files")
        total = 0
        for info in infos:
            _safe_name(info.filename)
            # The high 16 bits of external_attr hold the Unix mode; S_IFLNK marks a symbolic link.
            if (info.external_attr >> 16) & 0o170000 == 0o120000:
                raise ArchiveRefused(f"archive member {info.filename!r} is a symbolic link; not accepted")
            total += info.file_size
            if total > max_bytes:
                raise ArchiveRefused(f"the archive unpacks to more than {max_bytes} bytes")
        for info in infos:
            with archive.open(info) as source:
                data = source.read(info.file_size + 1)
            if len(data) > info.file_size:
                raise ArchiveRefused(f"archive member {info.filename!r} is larger than it declares")
            _write(destination, _safe_name(info.filename), data)
    return len(infos)


def _write(destination: Path, name: str, data: bytes) -> None:
    if not name:
        return
    target = destination.joinpath(*name.split("/"))
    if not target.resolve().is_relative_to(destination.resolve()):
        raise ArchiveRefused(f"archive member {name!r} would be written outside the site")
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        raise ArchiveRefused(f"archive member {name!r} appears twice")
    target.write_bytes(data)


def _strip_single_folder(destination: Path) -> None:
    """Accept archives that wrap the site in one folder (``site/index.html``)."""
    entries = list(destination.iterdir())
    if len(entries) == 1 and entries[0].is_dir() and not (destination / "index.html").exists():
        inner = entries[0]
        for child in inner.iterdir():
            child.rename(destination / child.name)
        inner.rmdir()

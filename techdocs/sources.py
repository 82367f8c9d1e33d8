# Paths stay strings in the walk on purpose: the checks are lexical, as in catalog.formats.readers.filereader.
# ruff: noqa: PTH112, PTH114, PTH118, PTH120
"""Where an entity's docs come from, and copying that source tree into a build directory.

``backstage.io/techdocs-ref`` is a location ref split at the first ``:``:

- ``dir:<path>`` is relative to the entity's catalog file. For a ``file`` location the directory
  must stay inside the registered location's root directory (the same boundary the catalog reader
  keeps); for a git location it must stay inside the repository, and is read at the commit the
  catalog last read.
- ``url:<target>`` names a directory in a git repository (a web URL such as
  ``https://host/org/repo/tree/main/docs-root`` or the generic ``<remote>#<branch>:<path>``); it is
  read through the catalog's hardened git reader, with its host and address checks, and never from this
  machine's disk (the annotation is repository content; see ``catalog.formats.readers.local_targets``).

Nothing is ever checked out and no git command is run here: files come through
``catalog.formats.readers``. Symbolic links are never copied: a file link is read only when it resolves
inside the root (and its content is copied as a regular file); git symlinks and submodules are
skipped with a warning. Dot files and dot directories are not copied.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalog.formats.readers import ReaderPolicy, parse_git_target, read_location
from catalog.formats.readers.filereader import FileRefused, read_inside
from catalog.formats.readers.globs import split_magic_prefix

from .config import TECHDOCS_ANNOTATION


class SourceError(Exception):
    """The docs source cannot be resolved or read; ``str()`` is shown to the entity's owners."""


@dataclass(frozen=True)
class DocsSource:
    """A resolved docs source: a local directory (with its confining root) or a git target."""

    type: str  # "file" or "git"
    # Backstage's locationMetadata: "dir" or "url", and the target as written or resolved.
    location_type: str
    location_target: str
    directory: str = ""
    root: str = ""
    git_target: str = ""
    pinned_commit: str = ""  # the commit the catalog read, for dir: refs in git locations


@dataclass
class FetchedSource:
    """What was copied: the version (commit or content digest) and warnings for the build log."""

    version: str
    files: int = 0
    bytes: int = 0
    warnings: list[str] = field(default_factory=list)


def techdocs_ref(entity: Any) -> str:
    annotations = ((getattr(entity, "body", None) or {}).get("metadata") or {}).get("annotations") or {}
    value = annotations.get(TECHDOCS_ANNOTATION)
    return value.strip() if isinstance(value, str) else ""


def has_techdocs(entity: Any) -> bool:
    return bool(techdocs_ref(entity))


def location_root(location_target: str) -> str:
    """The directory a ``file`` location confines its reads to (see ``catalog.formats.readers.filereader``)."""
    path = os.path.normpath(location_target)
    prefix, rest = split_magic_prefix(path.split("/")[1:])
    return "/" + "/".join(prefix) if rest else os.path.dirname(path)


def _join_inside(base: str, relative: str, what: str) -> str:
    """Resolve a relative POSIX path against ``base`` (a repository path), refusing to climb out."""
    if relative.startswith("/") or "\\" in relative or "\x00" in relative:
        raise SourceError(f"{what} {relative!r} must be a relative path")
    segments = [segment for segment in base.split("/") if segment]
    for segment in relative.split("/"):
        if segment == "..":
            if not segments:
                raise SourceError(f"{what} {relative!r} leaves the repository")
            segments.pop()
        elif segment not in ("", "."):
            if segment.lower() == ".git":
                raise SourceError(f"{what} {relative!r} reaches into .git")
            segments.append(segment)
    return "/".join(segments)


def resolve_source(entity: Any, location_type: str, location_target: str, location_commit: str = "") -> DocsSource:
    """Resolve the entity's techdocs-ref; ``location_*`` describe the catalog location it came from."""
    ref = techdocs_ref(entity)
    if not ref:
        raise SourceError(f"{entity.ref} has no {TECHDOCS_ANNOTATION} annotation")
    ref_type, separator, target = ref.partition(":")
    if not separator or not target:
        raise SourceError(f"{TECHDOCS_ANNOTATION} {ref!r} must look like 'dir:.' or 'url:<repository URL>'")
    if ref_type == "url":
        target = target.rstrip("/")
        try:
            parsed = parse_git_target(target)
        except ValueError as error:
            raise SourceError(f"{TECHDOCS_ANNOTATION} url {target!r} is not a readable git target: {error}") from None
        directory = "" if parsed.path == "catalog-info.yaml" and "catalog-info.yaml" not in target else parsed.path
        return DocsSource("git", "url", target, git_target=_tree_glob(parsed.clone_url, parsed.branch, directory))
    if ref_type != "dir":
        raise SourceError(f"{TECHDOCS_ANNOTATION} type {ref_type!r} is not supported; use 'dir:' or 'url:'")
    key = entity.location_key
    if key.startswith("file:"):
        catalog_file = key.removeprefix("file:")
        root = location_root(location_target) if location_type == "file" else os.path.dirname(catalog_file)
        if target.startswith("/"):
            raise SourceError(f"{TECHDOCS_ANNOTATION} dir {target!r} must be relative to the catalog file")
        directory = os.path.normpath(os.path.join(os.path.dirname(catalog_file), target))
        if os.path.commonpath([directory, root]) != root:
            raise SourceError(f"{TECHDOCS_ANNOTATION} dir {target!r} leaves the location's directory {root}")
        return DocsSource("file", "dir", directory, directory=directory, root=root)
    if key.startswith("url:"):
        try:
            parsed = parse_git_target(key.removeprefix("url:"))
        except ValueError as error:
            raise SourceError(f"the entity's location {key!r} cannot be read: {error}") from None
        directory = _join_inside(posixpath.dirname(parsed.path), target, f"{TECHDOCS_ANNOTATION} dir")
        glob = _tree_glob(parsed.clone_url, parsed.branch, directory)
        return DocsSource("git", "dir", glob, git_target=glob, pinned_commit=location_commit)
    raise SourceError(f"cannot resolve {ref!r} against the entity's location {key!r}")


def _tree_glob(clone_url: str, branch: str | None, directory: str) -> str:
    directory = directory.strip("/")
    return f"{clone_url}#{branch or ''}:{directory + '/' if directory else ''}**"


def fetch_source(source: DocsSource, destination: Path, policy: ReaderPolicy) -> FetchedSource:
    """Copy the source tree into ``destination`` (an empty directory); raise ``SourceError`` on failure."""
    if source.type == "file":
        return _fetch_directory(source, destination, policy)
    return _fetch_git(source, destination, policy)


def _fetch_git(source: DocsSource, destination: Path, policy: ReaderPolicy) -> FetchedSource:
    if source.location_type == "url":
        # The annotation names this target itself: content never names a local target.
        policy = policy.for_content()
    result = read_location("url", source.git_target, policy)
    prefix = source.git_target.rpartition(":")[2].removesuffix("**")
    fatal = [error for error in result.errors if error.location_key == f"url:{source.git_target}"]
    if fatal or not result.files:
        message = "; ".join(error.message for error in fatal) or "no files found"
        raise SourceError(f"could not read the docs source: {message}")
    fetched = FetchedSource(version=result.commit or "")
    fetched.warnings = [error.message for error in result.errors]
    for item in result.files:
        relative = item.path.removeprefix(prefix) if prefix else item.path
        _write(destination, relative, item.data)
        fetched.files += 1
        fetched.bytes += len(item.data)
    return fetched


def _fetch_directory(source: DocsSource, destination: Path, policy: ReaderPolicy) -> FetchedSource:
    if not os.path.isdir(source.directory):
        raise SourceError(f"docs directory {source.directory} does not exist")
    real_root = os.path.realpath(source.root)
    real_directory = os.path.realpath(source.directory)
    if os.path.commonpath([real_directory, real_root]) != real_root:
        raise SourceError(f"docs directory {source.directory} leads outside {source.root} through a symbolic link")
    fetched = FetchedSource(version="")
    digest = hashlib.sha256()
    # os.walk does not descend into linked directories; linked files are checked by read_inside.
    for directory, subdirectories, filenames in os.walk(source.directory):
        subdirectories[:] = sorted(name for name in subdirectories if not name.startswith("."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            full = os.path.join(directory, name)
            relative = os.path.relpath(full, source.directory)
            if os.path.islink(full) and os.path.isdir(full):
                fetched.warnings.append(f"{relative}: a link to a directory; not followed")
                continue
            try:
                data = read_inside(full, real_directory, policy.max_file_bytes)
            except FileRefused as error:
                fetched.warnings.append(str(error))
                continue
            fetched.files += 1
            fetched.bytes += len(data)
            if fetched.files > policy.max_files:
                raise SourceError(f"the docs source has more than {policy.max_files} files")
            if fetched.bytes > policy.max_total_bytes:
                raise SourceError(f"the docs source is larger than {policy.max_total_bytes} bytes")
            digest.update(relative.encode() + b"\0" + hashlib.sha256(data).digest())
            _write(destination, relative, data)
    if not fetched.files:
        raise SourceError(f"docs directory {source.directory} has no files")
    fetched.version = "sha256:" + digest.hexdigest()[:32]
    return fetched


def _write(destination: Path, relative: str, data: bytes) -> None:
    parts = [part for part in relative.split("/") if part not in ("", ".")]
    if not parts or ".." in parts:
        raise SourceError(f"refused source path {relative!r}")
    target = destination.joinpath(*parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)

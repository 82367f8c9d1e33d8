# Paths stay strings here, as in catalog/formats/readers/filereader.py: the checks are lexical.
# ruff: noqa: PTH112, PTH114, PTH116, PTH118, PTH120
"""Reading a template's skeleton (``url: ./skeleton``) through the catalog's hardened readers.

A relative URL resolves against the template's own location (its ``location_key``): a ``file``
template reads from its directory, and never above it; a git template reads from the same
repository and branch. Absolute URLs are read as git locations under the catalog's remote policy
(internal addresses refused). Symbolic links are refused, not followed, and nothing runs: no git
process is started here, no hook can fire.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from catalog.config import reader_policy
from catalog.formats.readers import ReadResult, SourceFile, SourceRoot, read_location, read_relative
from catalog.formats.readers.filereader import FileRefused, read_inside
from catalog.formats.readers.targets import parse_git_target

# Wildcards skip dot-files; these three patterns together reach them (``.gitignore``, ``.github/...``).
_GIT_PATTERNS = ("**/*", "**/.*", ".*/**/*")
# An scp-like ssh remote (``deploy@git.example.com:org/repo.git``) is absolute, whatever its user.
_SCP_LIKE = re.compile(r"[^/@:]+@[^/@:]+:")


class SourceError(ValueError):
    """A skeleton that cannot be read; the message names the URL and the reason."""


@dataclass(frozen=True)
class SkeletonFile:
    path: str  # relative to the skeleton directory, POSIX
    data: bytes
    executable: bool = False


def read_skeleton(base_url: str, url: str, *, trusted: bool = False) -> list[SkeletonFile]:
    """Every file of the directory ``url`` names, with paths relative to it.

    ``trusted``: the run was started by a platform admin, so an absolute ``url`` may name a local
    repository under the local roots (``catalog.formats.readers.local_targets``).
    """
    url = _check_url(url)
    if _is_relative(url) and base_url.startswith("file:"):
        return _read_local_directory(base_url, url)
    files: dict[str, SkeletonFile] = {}
    prefix: str | None = None
    for pattern in _GIT_PATTERNS:
        result, directory = _read_git(base_url, url, pattern, trusted)
        prefix = directory
        _raise_unless_only_missing(result, url)
        for item in result.files:
            relative = item.path[len(directory) + 1 :] if directory else item.path
            files[relative] = SkeletonFile(relative, item.data)
    if not files:
        raise SourceError(f"{url!r} has no files (looked in {prefix or 'the repository root'})")
    return [files[name] for name in sorted(files)]


def read_single(base_url: str, url: str, *, trusted: bool = False) -> bytes:
    """The contents of the one file ``url`` names (``trusted`` as for ``read_skeleton``)."""
    url = _check_url(url)
    if _is_relative(url) and base_url.startswith("file:"):
        template_dir = os.path.dirname(base_url.removeprefix("file:"))
        path = _confined(template_dir, url)
        try:
            _refuse_links(template_dir, path)
            return read_inside(path, os.path.realpath(template_dir), reader_policy().max_file_bytes)
        except FileRefused as error:
            raise SourceError(f"cannot read {url!r}: {error}") from None
    result, _ = _read_git(base_url, url, None, trusted)
    if result.errors or not result.files:
        raise SourceError(f"cannot read {url!r}: {_messages(result) or 'not found'}")
    return result.files[0].data


def _check_url(url: object) -> str:
    if not isinstance(url, str) or not url.strip():
        raise SourceError("url is required: the skeleton's location, e.g. ./skeleton")
    if "\x00" in url:
        raise SourceError("url contains a NUL character")
    return url.strip()


def _is_relative(url: str) -> bool:
    return "://" not in url and not url.startswith("/") and not _SCP_LIKE.match(url)


def _confined(template_dir: str, url: str) -> str:
    path = os.path.normpath(os.path.join(template_dir, url))
    if os.path.commonpath([path, template_dir]) != template_dir:
        raise SourceError(f"{url!r} leaves the template's directory; skeletons must sit beside the template")
    return path


def _refuse_links(root: str, path: str) -> None:
    current = root
    for part in Path(os.path.relpath(path, root)).parts:
        current = os.path.join(current, part)
        if os.path.islink(current):
            raise SourceError(f"{os.path.relpath(current, root)!r} is a symbolic link; skeletons may not contain links")


def _read_local_directory(base_url: str, url: str) -> list[SkeletonFile]:
    policy = reader_policy()
    template_dir = os.path.dirname(base_url.removeprefix("file:"))
    directory = _confined(template_dir, url)
    _refuse_links(template_dir, directory)
    if not os.path.isdir(directory):
        raise SourceError(f"{url!r} is not a directory beside the template")
    real_root = os.path.realpath(template_dir)
    found: list[SkeletonFile] = []
    total = 0
    for current, dirnames, filenames in os.walk(directory):
        for name in sorted(dirnames + filenames):
            if os.path.islink(os.path.join(current, name)):
                relative = os.path.relpath(os.path.join(current, name), directory)
                raise SourceError(f"{relative!r} in the skeleton is a symbolic link; skeletons may not contain links")
        for name in sorted(filenames):
            full = os.path.join(current, name)
            try:
                data = read_inside(full, real_root, policy.max_file_bytes)
            except FileRefused as error:
                raise SourceError(str(error)) from None
            total += len(data)
            if len(found) >= policy.max_files or total > policy.max_total_bytes:
                raise SourceError(f"the skeleton {url!r} is larger than the read limits allow")
            executable = bool(os.stat(full).st_mode & 0o100)
            found.append(SkeletonFile(os.path.relpath(full, directory).replace(os.sep, "/"), data, executable))
    return sorted(found, key=lambda item: item.path)


def _read_git(base_url: str, url: str, pattern: str | None, trusted: bool) -> tuple[ReadResult, str]:
    """Read ``url`` (a directory with ``pattern``, or one file) from git; returns the result and the directory.

    A relative ``url`` reads the template's own repository, admitted when the template was registered.
    """
    policy = reader_policy(trusted=trusted or _is_relative(url))
    suffix = f"/{pattern}" if pattern else ""
    if _is_relative(url):
        if not base_url.startswith("url:"):
            raise SourceError(f"cannot resolve {url!r}: the template has no location to resolve it against")
        try:
            parent_target = parse_git_target(base_url.removeprefix("url:"))
        except ValueError as error:
            raise SourceError(f"cannot resolve {url!r} against {base_url}: {error}") from None
        parent = SourceFile(base_url, parent_target.path, b"", None)
        result = read_relative(parent, url.rstrip("/") + suffix, policy)
        directory = os.path.normpath(os.path.join(os.path.dirname(parent_target.path), url)).lstrip("./")
        return result, "" if directory in (".", "") else directory
    try:
        target = parse_git_target(url)
    except ValueError as error:
        raise SourceError(f"invalid url {url!r}: {error}") from None
    if target.style == "generic":
        spelled = f"{target.clone_url}#{target.branch or ''}:{(target.path.rstrip('/') + suffix).lstrip('/')}"
    else:
        spelled = url.rstrip("/") + suffix
    return read_location("url", spelled, policy), target.path.rstrip("/")


def _raise_unless_only_missing(result: ReadResult, url: str) -> None:
    errors = [error.message for error in result.errors if "No files match" not in error.message]
    if errors:
        raise SourceError(f"cannot read {url!r}: {'; '.join(errors)}")


def _messages(result: ReadResult) -> str:
    return "; ".join(error.message for error in result.errors)


__all__ = ["SkeletonFile", "SourceError", "SourceRoot", "read_single", "read_skeleton"]

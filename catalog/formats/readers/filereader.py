# Paths stay strings here on purpose: the checks are lexical and the opens use dir_fd.
# ruff: noqa: PTH117, PTH118, PTH120
"""Reading ``file`` locations: one absolute path or a glob, confined to the location's root directory.

The root is the directory of the registered file, or the literal directory prefix of a registered
glob. Every file read, including those reached through relative targets of Location entities, must
resolve (symbolic links followed) to a regular file inside the root. Files are opened component by
component from the real root with ``O_NOFOLLOW``, so a link swapped in after the check fails the open
instead of escaping.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from .globs import glob_matches, split_magic_prefix
from .local_targets import LocalTargetRefused, check_location_is_allowed
from .results import ReaderPolicy, ReadResult, SourceFile, SourceRoot
from .targets import has_control_characters

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


class FileRefused(Exception):
    """A file cannot be read; ``str()`` is the message for the user."""


def read_file_location(target: str, policy: ReaderPolicy) -> ReadResult:
    """Read a registered ``file`` target: an absolute path or an absolute glob."""
    key = f"file:{target}"
    if target.endswith("/"):
        return ReadResult().fail(key, f"File location {target!r} ends with '/'; name a file or a glob")
    if has_control_characters(target) or not os.path.isabs(target):
        return ReadResult().fail(key, f"File location {target!r} must be an absolute path")
    path = os.path.normpath(target)
    try:
        check_location_is_allowed("file", path, policy)
    except LocalTargetRefused as error:
        return ReadResult().fail(key, f"Refused file location {target!r}: {error}")
    prefix, rest = split_magic_prefix(path.split("/")[1:])
    root = "/" + "/".join(prefix) if rest else os.path.dirname(path)
    return _read_confined(path, root, key, policy)


def read_file_relative(parent: SourceFile, target: str, policy: ReaderPolicy) -> ReadResult:
    """Read a target relative to the directory of ``parent``, without leaving the parent's root."""
    root = parent.root.base if parent.root and parent.root.kind == "file" else os.path.dirname(parent.path)
    key = parent.location_key
    if has_control_characters(target) or not target:
        return ReadResult().fail(key, f"Invalid relative target {target!r}")
    if os.path.isabs(target):
        return ReadResult().fail(key, f"Refused target {target!r}: absolute paths may not be reached from {root}")
    if target.endswith("/"):
        return ReadResult().fail(key, f"Target {target!r} ends with '/'; name a file or a glob")
    path = os.path.normpath(os.path.join(os.path.dirname(parent.path), target))
    if os.path.commonpath([path, root]) != root:
        return ReadResult().fail(key, f"Refused target {target!r}: it leaves the location root {root}")
    return _read_confined(path, root, f"file:{path}", policy)


def _read_confined(path: str, root: str, key: str, policy: ReaderPolicy) -> ReadResult:
    result = ReadResult()
    source_root = SourceRoot("file", root)
    real_root = os.path.realpath(root)
    relative = os.path.relpath(path, root).split("/")
    prefix, rest = split_magic_prefix(relative)
    if not rest:
        try:
            data = read_inside(path, real_root, policy.max_file_bytes)
        except FileRefused as error:
            return result.fail(key, str(error))
        result.files.append(SourceFile(key, path, data, source_root))
        return result
    start = os.path.normpath(os.path.join(root, *prefix))
    matches = sorted(_walk_matches(start, "/".join(rest)))
    if not matches:
        return result.fail(key, f"No files match {path!r}")
    if len(matches) > policy.max_files:
        return result.fail(key, f"{len(matches)} files match {path!r}, over the limit of {policy.max_files}")
    total = 0
    for match in matches:
        try:
            data = read_inside(match, real_root, policy.max_file_bytes)
        except FileRefused as error:
            result.fail(f"file:{match}", str(error))
            continue
        total += len(data)
        if total > policy.max_total_bytes:
            return result.fail(key, f"Files matching {path!r} exceed the read limit of {policy.max_total_bytes}")
        result.files.append(SourceFile(f"file:{match}", match, data, source_root))
    return result


def _walk_matches(start: str, pattern: str) -> list[str]:
    # Symbolic links to directories are listed but never descended (os.walk's default).
    wants_dot = any(segment.startswith(".") for segment in pattern.split("/"))
    found = []
    for directory, subdirectories, filenames in os.walk(start):
        if not wants_dot:
            subdirectories[:] = [name for name in subdirectories if not name.startswith(".")]
        for name in filenames:
            full = os.path.join(directory, name)
            if glob_matches(pattern, os.path.relpath(full, start)):
                found.append(full)
    return found


def read_inside(path: str, real_root: str, max_bytes: int) -> bytes:
    """Read a regular file that resolves inside ``real_root``, refusing links out and oversized files."""
    try:
        os.lstat(path)
    except FileNotFoundError:
        raise FileRefused(f"File {path} not found") from None
    except OSError as error:
        raise FileRefused(f"Cannot read {path}: {error.strerror}") from None
    real = os.path.realpath(path)
    if os.path.commonpath([real, real_root]) != real_root or real == real_root:
        raise FileRefused(f"Refused {path}: a symbolic link leads outside the location root {real_root}")
    descriptor = _open_beneath(real_root, Path(real).relative_to(real_root).parts)
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise FileRefused(f"Refused {path}: not a regular file")
        # A hard link cannot be told from the file it shares with, which may live outside the root
        # (a checkout on the same disk as the server's secrets); git never writes one in a work tree.
        if info.st_nlink > 1:
            raise FileRefused(f"Refused {path}: a hard link ({info.st_nlink} names for one file); copy it instead")
        if info.st_size > max_bytes:
            raise FileRefused(f"Refused {path}: {info.st_size} bytes, over the {max_bytes} byte limit")
        with os.fdopen(descriptor, "rb", closefd=False) as handle:
            data = handle.read(max_bytes + 1)
    finally:
        os.close(descriptor)
    if len(data) > max_bytes:
        raise FileRefused(f"Refused {path}: grew past the {max_bytes} byte limit while being read")
    return data


def _open_beneath(real_root: str, parts: tuple[str, ...]) -> int:
    """Open ``real_root/parts`` one component at a time, never following a symbolic link."""
    try:
        directory = os.open(real_root, _DIR_FLAGS & ~os.O_NOFOLLOW)
    except OSError as error:
        raise FileRefused(f"Cannot open location root {real_root}: {error.strerror}") from None
    try:
        for part in parts[:-1]:
            next_directory = os.open(part, _DIR_FLAGS, dir_fd=directory)
            os.close(directory)
            directory = next_directory
        return os.open(parts[-1], _FILE_FLAGS, dir_fd=directory)
    except OSError as error:
        if error.errno in (errno.ELOOP, errno.ENOTDIR):
            raise FileRefused(f"Refused {'/'.join(parts)}: changed into a symbolic link while being read") from None
        raise FileRefused(f"Cannot read {'/'.join(parts)} under {real_root}: {error.strerror}") from None
    finally:
        os.close(directory)

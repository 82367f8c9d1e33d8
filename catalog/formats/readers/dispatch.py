"""Entry points: read a registered location, or a target relative to a file already read."""

from __future__ import annotations

from .filereader import read_file_location, read_file_relative
from .gitreader import read_git_location, read_git_relative
from .results import ReaderPolicy, ReadResult, SourceFile


def read_location(type: str, target: str, policy: ReaderPolicy) -> ReadResult:
    """Read every file a location names; failures come back as ``ReadResult.errors``, never raised.

    ``type`` is ``file`` (absolute path or glob on this machine) or ``url`` (a git target; see
    ``catalog.formats.readers.targets`` for the accepted spellings).
    """
    try:
        if type == "file":
            return read_file_location(target, policy)
        if type == "url":
            return read_git_location(target, policy)
    except (OSError, ValueError) as error:
        # The readers report expected failures themselves; this keeps a missed case from escaping.
        return ReadResult().fail(f"{type}:{target}", f"Could not read {target!r}: {error}")
    return ReadResult().fail(f"{type}:{target}", f"Unsupported location type {type!r} for {target!r}")


def read_relative(parent: SourceFile, target: str, policy: ReaderPolicy) -> ReadResult:
    """Read a Location entity's target relative to the file that declared it.

    The target resolves against the parent file's directory and may not leave the parent's root: the
    same base directory for ``file`` locations, the same repository and commit for git. An absolute
    URL target in a git location is read as a location of its own, under the same policy.
    """
    try:
        if parent.location_key.startswith("file:"):
            return read_file_relative(parent, target, policy)
        if parent.location_key.startswith("url:"):
            return read_git_relative(parent, target, policy)
    except (OSError, ValueError) as error:
        return ReadResult().fail(parent.location_key, f"Could not read {target!r}: {error}")
    return ReadResult().fail(parent.location_key, f"Cannot resolve {target!r} against {parent.location_key}")

"""Turning catalog locations into file contents, treating every repository and path as hostile.

No Django here: callers build a ``ReaderPolicy`` from settings and pass it in.
"""

from .dispatch import read_location, read_relative
from .results import ReaderPolicy, ReadError, ReadResult, SourceFile, SourceRoot
from .targets import GitTarget, parse_git_target

__all__ = [
    "GitTarget",
    "ReadError",
    "ReadResult",
    "ReaderPolicy",
    "SourceFile",
    "SourceRoot",
    "parse_git_target",
    "read_location",
    "read_relative",
]

"""Glob matching on POSIX paths, shared by file and git locations.

Patterns follow the usual catalog glob conventions: ``*`` and ``?`` stay within one path segment,
``**`` as a whole segment matches any number of directories (zero included), and ``[...]`` is a
character class (``[!...]`` negates). Wildcards do not match names starting with ``.`` unless the
pattern segment itself starts with ``.``, so ``**/catalog-info.yaml`` skips ``.git``-like directories.
Braces are literal.
"""

from __future__ import annotations

import re
from functools import lru_cache

_MAGIC = re.compile(r"[*?\[]")
_NOT_DOT = r"(?!\.)"


def has_magic(pattern: str) -> bool:
    """Whether the pattern contains glob wildcards."""
    return _MAGIC.search(pattern) is not None


def split_magic_prefix(segments: list[str]) -> tuple[list[str], list[str]]:
    """Split path segments into the literal directory prefix and the part holding wildcards."""
    for index, segment in enumerate(segments):
        if has_magic(segment):
            return segments[:index], segments[index:]
    return segments, []


def _translate_segment(segment: str) -> str:
    out: list[str] = [] if segment.startswith(".") else [_NOT_DOT]
    index = 0
    while index < len(segment):
        char = segment[index]
        index += 1
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = segment.find("]", index + 1 if segment[index : index + 1] in ("!", "]") else index)
            if end == -1:
                out.append(re.escape(char))
                continue
            body = segment[index:end]
            index = end + 1
            negate = body.startswith("!")
            if negate:
                body = body[1:]
            body = body.replace("\\", "\\\\").replace("^", "\\^").replace("[", "\\[")
            out.append(f"[^/{body}]" if negate else f"[{body}]")
        else:
            out.append(re.escape(char))
    return "".join(out)


@lru_cache(maxsize=256)
def compile_glob(pattern: str) -> re.Pattern[str]:
    """Compile a POSIX glob into a regex matched against whole relative paths with ``fullmatch``."""
    segments = pattern.split("/")
    parts: list[str] = []
    for index, segment in enumerate(segments):
        is_last = index == len(segments) - 1
        if segment == "**":
            any_dirs = rf"(?:{_NOT_DOT}[^/]+/)*"
            parts.append(rf"{any_dirs}{_NOT_DOT}[^/]+" if is_last else any_dirs)
        else:
            parts.append(_translate_segment(segment) + ("" if is_last else "/"))
    return re.compile("".join(parts), re.DOTALL)


def glob_matches(pattern: str, path: str) -> bool:
    """Whether a relative POSIX path matches the glob."""
    return compile_glob(pattern).fullmatch(path) is not None

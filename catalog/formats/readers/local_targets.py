# Paths stay strings here, as in filereader.py: the checks are lexical after realpath.
# ruff: noqa: PTH117
"""The one rule for targets on this machine's disk: who may name them, and where they may lead.

A local target is a ``file`` location (a path or glob), or a ``url`` location whose git remote is an
absolute path or ``file://``. Reading one shows the server's own files to whoever asked, so:

- it must come from a trusted caller: settings, app-config (``GREENROOM_CONFIG``) or a platform
  admin. Repository content (Location entities, techdocs-ref annotations, template steps) and
  ordinary users are never trusted to name one;
- its path, after every symbolic link is resolved, must lie inside one of the configured roots
  (``CATALOG_LOCAL_ROOTS``).

Every entry point that accepts a target, and every reader that opens one, asks ``check_local_target``.
"""

from __future__ import annotations

import os
from urllib.parse import unquote, urlsplit

from .globs import split_magic_prefix
from .results import ReaderPolicy
from .targets import parse_git_target

UNTRUSTED_RULE = "local targets come only from settings, app-config or a platform admin"
ROOTS_SETTING = "CATALOG_LOCAL_ROOTS"


class LocalTargetRefused(ValueError):
    """The caller may not use this local target; the message names the rule that refused it."""


def local_path_of(location_type: str, target: str) -> str | None:
    """The directory or file on this machine a location target reads, or None for a remote target.

    For a glob, the literal directory before the first wildcard; for a git remote, the repository path.
    ``ValueError`` for a ``url`` target that does not parse.
    """
    if location_type == "file":
        path = os.path.normpath(target)
        prefix, rest = split_magic_prefix(path.split("/")[1:])
        return "/" + "/".join(prefix) if rest else path
    if location_type != "url":
        return None
    remote = parse_git_target(target)
    if remote.transport == "local":
        return remote.clone_url
    if remote.transport == "file":
        return unquote(urlsplit(remote.clone_url).path)
    return None


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def check_local_target(path: str, policy: ReaderPolicy) -> str:
    """Refuse ``path`` unless the policy's caller is trusted and it resolves inside a local root.

    Returns the resolved path. ``policy.local_roots`` of None skips the root check (a policy built
    without settings, for use of the readers on their own).
    """
    if not policy.local_trusted:
        raise LocalTargetRefused(f"{path!r} is on this machine: {UNTRUSTED_RULE}")
    if not os.path.isabs(path):
        raise LocalTargetRefused(f"{path!r} must be an absolute path")
    real = os.path.realpath(path)
    if policy.local_roots is None:
        return real
    if any(_inside(real, os.path.realpath(root)) for root in policy.local_roots if os.path.isabs(root)):
        return real
    roots = ", ".join(policy.local_roots) or "none configured"
    shown = path if real == path else f"{path} (resolved to {real})"
    raise LocalTargetRefused(f"{shown} is not under {ROOTS_SETTING} ({roots})")


def check_location_is_allowed(location_type: str, target: str, policy: ReaderPolicy) -> None:
    """Apply the local-target rule to a location target (remote targets pass; ``ValueError`` if unparsable)."""
    path = local_path_of(location_type, target)
    if path is None:
        return
    if location_type == "url" and not policy.allow_local_git:
        raise LocalTargetRefused(f"local git repositories are not allowed (CATALOG_ALLOW_LOCAL_GIT is off): {target}")
    check_local_target(path, policy)

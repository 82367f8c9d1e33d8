"""Repository facts, read without running anything a repository brings.

For an entity read from git (its ``location_key`` is a ``url:`` location), the files are listed
from the bare mirror the catalog already keeps (``catalog.formats.readers.gitmirror``), through the
catalog's hardened git runner: no checkout, no hooks, no repository or user config, a timeout.
Nothing is fetched here: a repository the catalog has not mirrored yet gets no repository facts
(its checks fail with "fact ... was never collected") until the catalog reads it. For an entity
read from a ``file`` location, the directory of its file is listed (links are not followed).

Facts: ``repository.has_readme``, ``repository.has_codeowners``, ``repository.has_ci_config``,
``repository.has_license``, ``repository.default_branch`` and ``repository.last_commit_at`` (ISO
timestamp of the commit read; git only).
"""

from __future__ import annotations

import fnmatch
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from catalog.config import reader_policy
from catalog.formats.readers import parse_git_target
from catalog.formats.readers.gitcommand import GitError, run_git
from catalog.formats.readers.gitmirror import mirror_dir, open_mirror
from catalog.formats.readers.results import ReaderPolicy

from ..facts import FactRecord

logger = logging.getLogger(__name__)

# Directories listed besides the top level: where CODEOWNERS and CI files live.
SUBDIRECTORIES = (".github", ".github/workflows", ".gitlab", "docs", ".circleci", ".buildkite")
CODEOWNERS = ("codeowners", ".github/codeowners", ".gitlab/codeowners", "docs/codeowners")
CI_PATTERNS = (
    ".github/workflows/*.yml",
    ".github/workflows/*.yaml",
    ".gitlab-ci.yml",
    "jenkinsfile",
    ".circleci/config.yml",
    "azure-pipelines.yml",
    ".travis.yml",
    "bitbucket-pipelines.yml",
    ".drone.yml",
    ".buildkite/pipeline.yml",
    ".woodpecker.yml",
)
LICENSE_NAMES = ("license", "licence", "copying")


def facts_from_paths(paths: set[str]) -> dict[str, bool]:
    """Which hygiene files a set of repository paths (top level and ``SUBDIRECTORIES``) holds."""
    lowered = {path.lower() for path in paths}
    top = {path for path in lowered if "/" not in path}
    return {
        "repository.has_readme": any(name.split(".")[0] == "readme" for name in top),
        "repository.has_codeowners": any(path in lowered for path in CODEOWNERS),
        "repository.has_ci_config": any(
            fnmatch.fnmatchcase(path, pattern) for path in lowered for pattern in CI_PATTERNS
        ),
        "repository.has_license": any(name.split(".")[0] in LICENSE_NAMES for name in top),
    }


def _git_facts(clone_url: str, branch: str | None, policy: ReaderPolicy) -> dict[str, Any] | None:
    if not (mirror_dir(policy, clone_url) / "HEAD").is_file():
        return None
    with open_mirror(policy, clone_url) as mirror:
        if branch is None:
            head = run_git(["symbolic-ref", "--quiet", "HEAD"], policy=policy, home=mirror.home, git_dir=mirror.git_dir)
            branch = head.decode().strip().removeprefix("refs/heads/")
        commit = mirror.resolve_branch(branch)
        paths = {entry.path for entry in mirror.list_tree(commit)}
        for directory in SUBDIRECTORIES:
            if directory in paths:
                paths |= {entry.path for entry in mirror.list_tree(commit, f"{directory}/")}
        committed = run_git(
            ["show", "-s", "--format=%cI", commit], policy=policy, home=mirror.home, git_dir=mirror.git_dir
        )
    return {
        **facts_from_paths(paths),
        "repository.default_branch": branch,
        "repository.last_commit_at": committed.decode().strip() or None,
    }


def _file_facts(directory: str) -> dict[str, Any] | None:
    if not os.path.isdir(directory):  # noqa: PTH112 - the path is a string from the location key
        return None
    paths: set[str] = set()
    for relative in ("", *SUBDIRECTORIES):
        folder = Path(directory, relative)
        if relative and not (folder.is_dir() and not folder.is_symlink()):
            continue
        try:
            with os.scandir(folder) as entries:
                paths |= {f"{relative}/{entry.name}".lstrip("/") for entry in entries if not entry.is_symlink()}
        except OSError:
            continue
    return {**facts_from_paths(paths), "repository.default_branch": None, "repository.last_commit_at": None}


def repository_of(location_key: str) -> tuple[str, str, str | None] | None:
    """``("git", clone URL, branch)`` or ``("file", directory, None)`` for a location key; None if neither."""
    kind, _, target = location_key.partition(":")
    if kind == "url":
        try:
            parsed = parse_git_target(target)
        except ValueError:
            return None
        return ("git", parsed.clone_url, parsed.branch)
    if kind == "file" and os.path.isabs(target):  # noqa: PTH117
        return ("file", os.path.dirname(target), None)  # noqa: PTH120
    return None


def repository_facts(repository: tuple[str, str, str | None], policy: ReaderPolicy) -> dict[str, Any] | None:
    """Facts about a repository (or directory) from ``repository_of``; None when it cannot be read."""
    kind, where, branch = repository
    try:
        return _git_facts(where, branch, policy) if kind == "git" else _file_facts(where)
    except (GitError, ValueError, OSError) as error:
        logger.warning("repository facts for %s: %s", where, error)
    return None


def collect(entities: Sequence[Any]) -> list[FactRecord]:
    # Each entity's own location, admitted when it was registered.
    policy = reader_policy(trusted=True)
    # Many entities come from one repository: each is listed once per batch.
    cache: dict[tuple[str, str, str | None], dict[str, Any] | None] = {}
    records = []
    for entity in entities:
        repository = repository_of(entity.location_key or "")
        if repository is None:
            continue
        if repository not in cache:
            cache[repository] = repository_facts(repository, policy)
        facts = cache[repository]
        if facts is not None:
            records += [FactRecord(entity.ref, name, value) for name, value in facts.items()]
    return records

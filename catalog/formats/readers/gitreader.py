"""Reading ``url`` locations from git: one target, or a target relative to a file already read."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .gitcommand import GitError, GitTimeout
from .githttp import explain_http_failure
from .gitmirror import MODE_SUBMODULE, MODE_SYMLINK, BranchNotFound, Mirror, TreeEntry, open_mirror
from .gitssh import ssh_access
from .globs import glob_matches, has_magic, split_magic_prefix
from .remotes import RemoteRefused, check_remote
from .results import ReaderPolicy, ReadResult, SourceFile, SourceRoot
from .targets import GitTarget, file_location_key, parse_git_target, resolve_relative_path


def read_git_location(target_text: str, policy: ReaderPolicy) -> ReadResult:
    """Read a ``url`` target: check the remote, update its mirror, and read the named files."""
    key = f"url:{target_text}"
    try:
        target = parse_git_target(target_text)
    except ValueError as error:
        return ReadResult().fail(key, f"Invalid url target {target_text!r}: {error}")
    return _read_target(target, key, policy)


def read_git_relative(parent: SourceFile, target_text: str, policy: ReaderPolicy) -> ReadResult:
    """Read a target relative to a file from git, from the same repository and commit."""
    if "://" in target_text:
        return _read_absolute(parent, target_text, policy)
    root = parent.root
    try:
        if root is None or root.kind != "git" or root.commit is None:
            # No record of the exact commit: fall back to reading the parent's branch afresh.
            base = parse_git_target(parent.location_key.removeprefix("url:"))
            path = resolve_relative_path(parent.path, target_text)
            moved = dataclasses.replace(base, path=path)
            return _read_target(moved, _key(moved, moved.branch or "", path), policy)
        path = resolve_relative_path(parent.path, target_text)
        remote = dataclasses.replace(parse_git_target(root.base), style=root.style, web_base=root.web_base)
    except ValueError as error:
        return ReadResult().fail(parent.location_key, f"Refused target {target_text!r}: {error}")
    key = file_location_key(root.base, root.style, root.web_base, root.branch or "", path)
    return _read_at_commit(remote, root, path, key, policy)


def _read_absolute(parent: SourceFile, target_text: str, policy: ReaderPolicy) -> ReadResult:
    root = parent.root
    try:
        target = parse_git_target(target_text)
    except ValueError as error:
        return ReadResult().fail(f"url:{target_text}", f"Invalid url target {target_text!r}: {error}")
    same_tree = (
        root is not None
        and root.kind == "git"
        and root.commit is not None
        and target.clone_url == root.base
        and target.branch == root.branch
    )
    if not same_tree or root is None:
        # Another repository named by the file itself: content never names a local target.
        return _read_target(target, f"url:{target_text}", policy.for_content())
    # Same repository and branch as the parent: read the parent's commit, as a relative target would.
    return _read_at_commit(target, root, target.path, f"url:{target_text}", policy)


def _read_at_commit(remote: GitTarget, root: SourceRoot, path: str, key: str, policy: ReaderPolicy) -> ReadResult:
    result = ReadResult(commit=root.commit)
    try:
        check_remote(remote, policy, resolve=False)
        with open_mirror(policy, root.base) as mirror:
            if root.commit is None or not mirror.has_commit(root.commit):
                return result.fail(key, f"Commit {root.commit} of {root.base} is no longer in the mirror")
            return _collect(mirror, root, path, key, result)
    except RemoteRefused as error:
        return result.fail(key, f"Refused {root.base}: {error}")
    except (GitError, OSError) as error:
        reason = explain_http_failure(str(error), root.base, policy)
        return result.fail(key, f"Could not read {path!r} from {root.base}: {reason}")


def _read_target(target: GitTarget, key: str, policy: ReaderPolicy) -> ReadResult:
    result = ReadResult()
    try:
        checked = check_remote(target, policy)
    except RemoteRefused as error:
        return result.fail(key, f"Refused {target.clone_url}: {error}")
    plain = _plain_directory(target)
    if plain is not None:
        return result.fail(
            key,
            f"{plain} is not a git repository; register the directory as a file location instead "
            f"(type file, target {plain / 'catalog-info.yaml'})",
        )
    pinned = ()
    if checked.pinned_address and target.host and target.transport == "https":
        pinned = (f"{target.host}:{target.port or 443}:{checked.pinned_address}",)
    try:
        with (
            ssh_access(target, policy, checked.pinned_address or target.host) as environment,
            open_mirror(policy, target.clone_url, pinned, environment) as mirror,
        ):
            branch, commit = mirror.update(target.branch)
            result.commit = commit
            root = SourceRoot("git", target.clone_url, commit, branch, target.style, target.web_base)
            return _collect(mirror, root, target.path, key, result)
    except BranchNotFound:
        return result.fail(key, f"Branch {target.branch!r} not found in {target.clone_url}")
    except GitTimeout as error:
        return result.fail(key, f"Timed out reading {target.clone_url}: {error}")
    except (GitError, OSError) as error:
        reason = explain_http_failure(str(error), target.clone_url, policy)
        return result.fail(key, f"Could not read git repository {target.clone_url}: {reason}")


def _key(target: GitTarget, branch: str, path: str) -> str:
    return file_location_key(target.clone_url, target.style, target.web_base, branch, path)


def _collect(mirror: Mirror, root: SourceRoot, path: str, key: str, result: ReadResult) -> ReadResult:
    """Read the file or glob ``path`` from the root's commit into ``result``."""
    assert root.commit is not None and root.branch is not None
    where = f"{root.base} at {root.branch} ({root.commit[:12]})"

    def file_key(entry_path: str) -> str:
        return file_location_key(root.base, root.style, root.web_base, root.branch or "", entry_path)

    if has_magic(path):
        prefix, _ = split_magic_prefix(path.split("/"))
        listed = mirror.list_tree(root.commit, "/".join(prefix) or None, recursive=True)
        entries = [entry for entry in listed if glob_matches(path, entry.path)]
        if not entries:
            return result.fail(key, f"No files match {path!r} in {where}")
    else:
        entries = [entry for entry in mirror.list_tree(root.commit, path) if entry.path == path]
        if not entries:
            return result.fail(key, f"File {path!r} not found in {where}")
        if entries[0].kind == "tree":
            return result.fail(key, f"{path!r} is a directory in {where}; name a file or a glob")
    wanted: list[TreeEntry] = []
    for entry in entries:
        if entry.mode == MODE_SUBMODULE:
            if len(entries) == 1:
                result.fail(key, f"{entry.path!r} is a submodule in {where}; submodules are not read")
        elif entry.mode == MODE_SYMLINK:
            result.fail(file_key(entry.path), f"{entry.path!r} is a symbolic link in {where}; not followed")
        elif entry.size is not None and entry.size > mirror.policy.max_file_bytes:
            limit = mirror.policy.max_file_bytes
            result.fail(file_key(entry.path), f"{entry.path!r} is {entry.size} bytes, over the {limit} limit")
        else:
            wanted.append(entry)
    if len(wanted) > mirror.policy.max_files:
        return result.fail(key, f"{len(wanted)} files match {path!r}, over the limit of {mirror.policy.max_files}")
    total = sum(entry.size or 0 for entry in wanted)
    if total > mirror.policy.max_total_bytes:
        return result.fail(key, f"Files matching {path!r} total {total} bytes, over the read limit")
    blobs = mirror.read_blobs([entry.oid for entry in wanted])
    for entry in sorted(wanted, key=lambda entry: entry.path):
        result.files.append(SourceFile(file_key(entry.path), entry.path, blobs[entry.oid], root))
    return result


def _plain_directory(target: GitTarget) -> Path | None:
    """The directory a local remote names when it exists but holds no repository (git would say
    only "invalid gitfile format" or "does not appear to be a git repository")."""
    if target.transport not in ("local", "file"):
        return None
    url = target.clone_url
    path = Path(unquote(urlsplit(url).path) if url.startswith("file://") else url)
    if not path.is_dir():
        return None
    is_repository = (path / ".git").exists() or ((path / "HEAD").is_file() and (path / "objects").is_dir())
    return None if is_repository else path

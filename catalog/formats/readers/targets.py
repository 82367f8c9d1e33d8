"""Parsing ``url`` location targets into a git remote, a branch and a path or glob.

Two spellings are accepted.

SCM web URLs, as copied from a browser (the first segment after the marker is the branch, so branch
names containing ``/`` need the generic spelling)::

    https://<host>/<org>/<repo>/blob/<branch>/<path>          GitHub style; /tree/ is read the same way
    https://<host>/<group>/.../<repo>/-/blob/<branch>/<path>  GitLab; /-/tree/ too
    https://<host>/<org>/<repo>/src/branch/<branch>/<path>    Gitea and Forgejo

They are cloned from ``https://<host>/<org>/<repo>.git``. Path segments are percent-decoded; the
query string and fragment (``#L10``) are ignored.

The generic spelling names any git remote::

    <remote>[#[<branch>][:<path-or-glob>]]

    /srv/repos/shop.git                                    local path (absolute)
    file:///srv/repos/shop.git#main:services/**/catalog-info.yaml
    https://git.example.com/shop.git#release-2:catalog-info.yaml
    ssh://git@git.example.com:2222/org/shop.git#:teams/*.yaml
    git@git.example.com:org/shop.git#main
    git@git.example.com:/srv/git/shop.git                  scp-like with an absolute path

The remote ends at the first ``#``, so remotes may not contain ``#``. After it, the branch ends at the
first ``:`` (git forbids ``:`` in branch names), and the rest is the path, taken literally (no
percent-decoding) as a repository-relative POSIX path. An empty branch means the remote's default
branch; a missing or empty path means ``catalog-info.yaml`` at the repository root. An https URL
whose path has a web marker (``/blob/``, ``/tree/``, ``/-/blob/``, ``/-/tree/``, ``/src/branch/``
after the repository) is always a web URL, never a remote.

Remotes are limited to absolute local paths, ``file://``, ``https://``, ``ssh://`` and scp-like
``[user@]host:path``. ``http://`` and ``git://`` are refused because they are unauthenticated and
unencrypted; ``<transport>::`` helpers such as ``ext::`` are refused because they run commands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from posixpath import dirname
from urllib.parse import quote, unquote, urlsplit

DEFAULT_PATH = "catalog-info.yaml"

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_HOSTNAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]")
_USER = re.compile(r"[A-Za-z0-9._-]+")
_REPO_SEGMENT = re.compile(r"[A-Za-z0-9_.-]+")
_SCP_LIKE = re.compile(r"(?:(?P<user>[^@/:]+)@)?(?P<host>[^@/:]+|\[[^\]/]+\]):(?P<path>/?[^/].*)")
_HELPER = re.compile(r"[A-Za-z0-9+.-]+::")
_BRANCH_FORBIDDEN = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]")


@dataclass(frozen=True)
class GitTarget:
    """A parsed ``url`` target.

    ``transport`` is one of ``local``, ``file``, ``https`` and ``ssh``. ``style`` says how file
    location keys are spelled: ``generic`` (``<remote>#<branch>:<path>``), ``github``, ``gitlab`` or
    ``gitea`` (web URLs under ``web_base``).
    """

    clone_url: str
    branch: str | None
    path: str
    transport: str
    host: str | None = None
    port: int | None = None
    style: str = "generic"
    web_base: str | None = None


def has_control_characters(value: str) -> bool:
    """Whether the value holds ASCII control characters or cannot be encoded (lone surrogates)."""
    if not value.isascii():
        try:
            value.encode()
        except UnicodeEncodeError:
            return True
    return _CONTROL.search(value) is not None


def validate_branch(name: str) -> str:
    """Return the branch name if ``git check-ref-format --branch`` would accept it, else raise."""
    if not name or len(name) > 255:
        raise ValueError("branch name must be 1 to 255 characters")
    if name.startswith("-"):
        raise ValueError(f"branch name {name!r} may not start with '-'")
    if _BRANCH_FORBIDDEN.search(name):
        raise ValueError(f"branch name {name!r} contains a character git forbids")
    if ".." in name or "@{" in name or "//" in name or name == "@":
        raise ValueError(f"branch name {name!r} is not a valid git ref name")
    if name.startswith("/") or name.endswith(("/", ".")):
        raise ValueError(f"branch name {name!r} is not a valid git ref name")
    for component in name.split("/"):
        if component.startswith(".") or component.endswith(".lock"):
            raise ValueError(f"branch name {name!r} is not a valid git ref name")
    return name


def normalize_repo_path(path: str) -> str:
    """Return a repository-relative POSIX path or glob, refusing anything that could step outside."""
    if has_control_characters(path):
        raise ValueError("path contains control characters")
    if path.startswith("/"):
        path = path[1:]
    if not path:
        return DEFAULT_PATH
    if path.endswith("/"):
        raise ValueError(f"path {path!r} names a directory; name a file or a glob")
    for segment in path.split("/"):
        if segment in ("", ".", ".."):
            raise ValueError(f"path {path!r} has an empty, '.' or '..' segment")
        if segment.lower() == ".git":
            raise ValueError(f"path {path!r} reaches into .git")
    return path


def _check_remote_text(remote: str) -> None:
    if not remote:
        raise ValueError("git remote is empty")
    if remote.startswith("-"):
        raise ValueError("git remote may not start with '-'")
    if _HELPER.match(remote):
        raise ValueError("git remote helpers ('<transport>::') are not allowed")
    if any(char.isspace() for char in remote):
        raise ValueError("git remote may not contain whitespace")


def _check_host(host: str | None) -> str:
    if not host or not _HOSTNAME.fullmatch(host):
        raise ValueError(f"invalid host {host!r}")
    return host.lower().strip("[]")


def _parse_remote(remote: str) -> tuple[str, str | None, int | None]:
    """Return (transport, host, port) for a remote, refusing unsupported forms."""
    _check_remote_text(remote)
    if remote.startswith("/"):
        return "local", None, None
    scheme, sep, _ = remote.partition("://")
    if sep:
        parts = urlsplit(remote)
        scheme = scheme.lower()
        if scheme == "file":
            if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
                raise ValueError("file:// remotes must be absolute local paths")
            return "file", None, None
        if scheme not in ("https", "ssh"):
            raise ValueError(f"unsupported git remote scheme {scheme!r}; use https, ssh or file")
        if len(parts.path) <= 1:
            raise ValueError("git remote has no repository path")
        user = parts.username
        if scheme == "https" and ("@" in parts.netloc):
            raise ValueError("credentials do not belong in a target; configure them on the server")
        if user is not None and (parts.password is not None or not _USER.fullmatch(user)):
            raise ValueError("invalid user in ssh remote")
        hostport = parts.netloc.rpartition("@")[2]
        if hostport.startswith("[") and "]" in hostport:
            host = hostport[: hostport.index("]") + 1]
        else:
            host = hostport.partition(":")[0]
        return scheme, _check_host(host), parts.port
    match = _SCP_LIKE.fullmatch(remote)
    if match:
        user = match.group("user")
        if user is not None and not _USER.fullmatch(user):
            raise ValueError("invalid user in ssh remote")
        if match.group("path").startswith("-"):
            raise ValueError("repository path may not start with '-'")
        return "ssh", _check_host(match.group("host")), None
    raise ValueError("git remote must be an absolute path, file://, https://, ssh:// or user@host:path")


def _parse_web_url(target: str) -> GitTarget | None:
    parts = urlsplit(target.partition("#")[0])
    if parts.scheme.lower() != "https":
        return None
    segments = [unquote(segment, errors="strict") for segment in parts.path.split("/")[1:]]
    repo_end = branch_at = None
    style = "generic"
    if "-" in segments:
        marker = segments.index("-")
        if marker >= 2 and segments[marker + 1 : marker + 2] in (["blob"], ["tree"]):
            repo_end, branch_at, style = marker, marker + 2, "gitlab"
    if style == "generic" and segments[2:4] == ["src", "branch"]:
        repo_end, branch_at, style = 2, 4, "gitea"
    if style == "generic" and len(segments) >= 3 and segments[2] in ("blob", "tree"):
        repo_end, branch_at, style = 2, 3, "github"
    if repo_end is None or branch_at is None:
        return None
    if len(segments) <= branch_at or not segments[branch_at]:
        raise ValueError("web URL names no branch")
    repo = segments[:repo_end]
    for segment in repo:
        if not _REPO_SEGMENT.fullmatch(segment) or segment in (".", ".."):
            raise ValueError(f"invalid repository segment {segment!r}")
    if any("/" in segment for segment in segments):
        raise ValueError("percent-encoded '/' is not allowed in web URL paths")
    transport, host, port = _parse_remote(f"https://{parts.netloc}/{'/'.join(repo)}")
    repo[-1] = repo[-1].removesuffix(".git")
    web_base = f"https://{parts.netloc.lower()}/{'/'.join(repo)}"
    return GitTarget(
        clone_url=f"{web_base}.git",
        branch=validate_branch(segments[branch_at]),
        path=normalize_repo_path("/".join(segments[branch_at + 1 :])),
        transport=transport,
        host=host,
        port=port,
        style=style,
        web_base=web_base,
    )


def parse_git_target(target: str) -> GitTarget:
    """Parse a ``url`` location target; raise ``ValueError`` for anything unsafe or malformed."""
    if has_control_characters(target):
        raise ValueError("target contains control characters")
    target = target.strip()
    web = _parse_web_url(target) if target.lower().startswith("https://") else None
    if web is not None:
        return web
    if "#" not in target:
        remote, branch, path = target, None, ""
    else:
        remote, _, fragment = target.partition("#")
        branch_text, _, path = fragment.partition(":")
        branch = validate_branch(branch_text) if branch_text else None
    transport, host, port = _parse_remote(remote)
    return GitTarget(remote, branch, normalize_repo_path(path), transport, host, port)


def file_location_key(clone_url: str, style: str, web_base: str | None, branch: str, path: str) -> str:
    """The location ref of one file read from git, spelled in the style its target was given in."""
    if style == "generic" or web_base is None:
        return f"url:{clone_url}#{branch}:{path}"
    marker = {"github": "blob", "gitlab": "-/blob", "gitea": "src/branch"}[style]
    return f"url:{web_base}/{marker}/{quote(branch, safe='/')}/{quote(path, safe='/')}"


def resolve_relative_path(parent_path: str, target: str) -> str:
    """Resolve a relative target against a repository file's directory, with URL semantics.

    Percent-escapes are decoded first, as a browser would, so ``%2e%2e`` counts as ``..``. A result
    outside the repository root raises ``ValueError``.
    """
    decoded = unquote(target.split("?", 1)[0].split("#", 1)[0], errors="strict")
    if decoded.startswith("/"):
        raise ValueError(f"target {target!r} is absolute; it would leave the repository")
    if has_control_characters(decoded):
        raise ValueError("target contains control characters")
    segments = [segment for segment in dirname(parent_path).split("/") if segment]
    pieces = decoded.split("/")
    for index, segment in enumerate(pieces):
        if segment == "..":
            if not segments:
                raise ValueError(f"target {target!r} leaves the repository root")
            segments.pop()
        elif segment not in ("", "."):
            segments.append(segment)
        elif index == len(pieces) - 1 and segment == "":
            raise ValueError(f"target {target!r} names a directory; name a file or a glob")
    return normalize_repo_path("/".join(segments))

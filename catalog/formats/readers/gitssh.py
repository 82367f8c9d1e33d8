"""Git over SSH with a deploy key and pinned host keys, from an ``integrations.ssh`` entry.

For an ``ssh`` remote whose host has an entry, git runs with a ``GIT_SSH_COMMAND`` that reads no ssh
config, uses only the entry's key, trusts only the entry's pinned host keys and connects to the
address the remote check resolved (the host name stays the known-hosts alias, so a second DNS answer
cannot move the connection). The key is written to a 0600 file in a fresh 0700 directory that is
removed when the read ends; only that file's path is on a command line, never the key. ssh writes its
own messages to a log file in the same directory, which turns its failures into clear errors.

Without an entry, git keeps the default ``ssh -o BatchMode=yes`` (no key, no known hosts), and a
failure says which integration to configure.
"""

from __future__ import annotations

import base64
import contextlib
import os
import re
import shlex
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .gitcommand import GitError, GitTimeout
from .gitmirror import BranchNotFound

if TYPE_CHECKING:
    from .results import ReaderPolicy
    from .targets import GitTarget

_MARKERS = ("@cert-authority", "@revoked")
_KEY_TYPE = re.compile(r"(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|sk-\S+)(-cert-v01@openssh\.com)?")
_PRIVATE_KEY = re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.+-----END [A-Z0-9 ]*PRIVATE KEY-----", re.DOTALL)
_NOT_PINNED = ("host key is known for", "host key verification failed", "has changed and you have requested")
_AUTHENTICATION = ("permission denied (", "too many authentication failures")
_CONNECT_TIMEOUT_SECONDS = 20


@dataclass(frozen=True)
class SshCredential:
    """One ``integrations.ssh`` entry as the reader uses it; the key never appears in a repr.

    ``config_path`` (``integrations.ssh[0]``) and ``label`` (``ssh[0]``) name the entry in messages.
    """

    host: str
    config_path: str
    label: str
    port: int = 22
    user: str | None = None
    private_key: str | None = field(default=None, repr=False)
    known_hosts: str | None = None


class SshRefused(GitError):
    """The ssh entry is incomplete or the server was refused; ``str()`` names host and entry."""


def credential_for(host: str | None, credentials: tuple[SshCredential, ...]) -> SshCredential | None:
    """The first ssh entry for ``host`` (case-insensitive; an IPv6 address with or without brackets), or None."""
    wanted = (host or "").lower().strip("[]")
    if not wanted:
        return None
    return next((credential for credential in credentials if credential.host.lower().strip("[]") == wanted), None)


def not_pinned_message(host: str, credential: SshCredential) -> str:
    return f"host key for {host} is not pinned; add it to {credential.config_path}.knownHosts"


def pinned_host_keys(credential: SshCredential, alias: str) -> list[str]:
    """The entry's ``knownHosts`` as known_hosts lines for ``alias``; a bad line raises ``SshRefused``.

    Each line is ``[marker] [host-patterns] key-type base64-key [comment]`` as in OpenSSH's
    known_hosts, or just the key as a ``.pub`` file or ``ssh-keyscan`` prints it. Host patterns are
    replaced by ``alias``: every key of the entry is trusted for the entry's host, and only there.
    """
    lines = []
    for number, raw in enumerate((credential.known_hosts or "").splitlines(), start=1):
        words = raw.split()
        if not words or words[0].startswith("#"):
            continue
        where = f"{credential.config_path}.knownHosts line {number}"
        marker = words.pop(0) if words[0].startswith("@") else None
        if marker is not None and marker not in _MARKERS:
            raise SshRefused(f"{where}: unknown marker {marker[:40]!r}; use @cert-authority or @revoked")
        if words and not _KEY_TYPE.fullmatch(words[0]):
            words.pop(0)  # the line's own host patterns
        if len(words) < 2 or not _KEY_TYPE.fullmatch(words[0]):
            raise SshRefused(f"{where}: expected a key type such as ssh-ed25519 followed by the key")
        key_type, key = words[0], words[1]
        if not _is_key_of_type(key, key_type):
            raise SshRefused(f"{where}: the key is not valid base64 for a {key_type} key")
        lines.append(" ".join([*([marker] if marker else []), alias, key_type, key]))
    return lines


def _is_key_of_type(key: str, key_type: str) -> bool:
    try:
        blob = base64.b64decode(key, validate=True)
    except ValueError:
        return False
    # The wire format starts with the key type as a length-prefixed string.
    named = key_type.encode()
    return blob[:4] == len(named).to_bytes(4, "big") and blob[4 : 4 + len(named)] == named


def _private_key_text(credential: SshCredential) -> str:
    key = (credential.private_key or "").strip()
    if not key:
        raise SshRefused(f"{credential.config_path}.privateKey is not set; it is needed to read from {credential.host}")
    if not _PRIVATE_KEY.search(key):
        raise SshRefused(f"{credential.config_path}.privateKey is not a private key (no BEGIN ... PRIVATE KEY block)")
    if _is_encrypted(key):
        raise SshRefused(f"{credential.config_path}.privateKey is protected by a passphrase; use a key without one")
    return key + "\n"  # ssh refuses a key file without its final newline


def _is_encrypted(key: str) -> bool:
    if "ENCRYPTED" in key.split("-----END", 1)[0]:  # PEM: "Proc-Type: 4,ENCRYPTED" or "BEGIN ENCRYPTED ..."
        return True
    if "BEGIN OPENSSH PRIVATE KEY" not in key:
        return False
    body = "".join(line for line in key.splitlines() if line and not line.startswith("-----"))
    try:
        blob = base64.b64decode(body)
    except ValueError:
        return False
    # openssh-key-v1: the magic, then the cipher name as a length-prefixed string ("none" when clear).
    magic = b"openssh-key-v1\0"
    if not blob.startswith(magic):
        return False
    length = int.from_bytes(blob[len(magic) : len(magic) + 4], "big")
    return blob[len(magic) + 4 : len(magic) + 4 + length] != b"none"


def _write_private(path: Path, text: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


def ssh_command(
    directory: Path, target: GitTarget, credential: SshCredential, address: str | None, timeout_seconds: int
) -> str:
    """The ``GIT_SSH_COMMAND`` for one read; its files (key, known hosts, log) live in ``directory``."""
    alias = target.host or credential.host
    options = {
        "BatchMode": "yes",
        "IdentitiesOnly": "yes",
        "IdentityFile": str(directory / "key"),
        "IdentityAgent": "none",
        "UserKnownHostsFile": str(directory / "known_hosts"),
        "GlobalKnownHostsFile": "/dev/null",
        "StrictHostKeyChecking": "yes",
        "HostKeyAlias": alias,
        "CheckHostIP": "no",
        "UpdateHostKeys": "no",
        "PreferredAuthentications": "publickey",
        "PasswordAuthentication": "no",
        "KbdInteractiveAuthentication": "no",
        "ForwardAgent": "no",
        "ClearAllForwardings": "yes",
        "ControlMaster": "no",
        "ControlPath": "none",
        "ProxyCommand": "none",
        "ConnectTimeout": str(min(timeout_seconds, _CONNECT_TIMEOUT_SECONDS)),
        "LogLevel": "ERROR",
    }
    if address:
        options["HostName"] = address.strip("[]")
    # ssh keeps the first value it sees, so these would override the remote's own port and user.
    if target.port is None:
        options["Port"] = str(credential.port)
    if credential.user and not _remote_names_user(target.clone_url):
        options["User"] = credential.user
    words = ["ssh", "-F", "/dev/null", "-E", str(directory / "ssh.log")]
    for name, value in options.items():
        words += ["-o", f"{name}={value}"]
    return " ".join(shlex.quote(word) for word in words)


def _remote_names_user(clone_url: str) -> bool:
    remote = clone_url.split("://", 1)[1].split("/", 1)[0] if "://" in clone_url else clone_url.split(":", 1)[0]
    return "@" in remote


def explain_failure(log: str, host: str, credential: SshCredential) -> str | None:
    """A clear message for what ssh logged, or None when it logged nothing."""
    lowered = log.lower()
    if any(marker in lowered for marker in _NOT_PINNED):
        return not_pinned_message(host, credential)
    if any(marker in lowered for marker in _AUTHENTICATION):
        return f"authentication failed for {host} (integration {credential.label})"
    last = [line.strip() for line in log.splitlines() if line.strip()]
    return f"ssh: {last[-1].removeprefix('ssh: ')[:300]}" if last else None


@contextlib.contextmanager
def ssh_access(target: GitTarget, policy: ReaderPolicy, address: str | None = None) -> Iterator[dict[str, str]]:
    """Environment for the git commands reading ``target``; their ssh failures come out as ``SshRefused``.

    ``address`` is the one the remote check resolved the host to. Yields ``{}`` for other transports.
    """
    if target.transport != "ssh" or not target.host:
        yield {}
        return
    host = target.host
    credential = credential_for(host, policy.ssh_credentials)
    if credential is None:
        try:
            yield {}
        except (SshRefused, BranchNotFound, GitTimeout):
            raise
        except GitError as error:
            raise SshRefused(f"{error}; configure an ssh integration for {host}") from None
        return
    private_key = _private_key_text(credential)
    known_hosts = pinned_host_keys(credential, host)
    if not known_hosts:
        raise SshRefused(not_pinned_message(host, credential))
    directory = Path(tempfile.mkdtemp(prefix="greenroom-ssh-"))
    try:
        _write_private(directory / "key", private_key)
        _write_private(directory / "known_hosts", "\n".join(known_hosts) + "\n")
        command = ssh_command(directory, target, credential, address, policy.git_timeout_seconds)
        try:
            yield {"GIT_SSH_COMMAND": command}
        except (SshRefused, BranchNotFound, GitTimeout):
            raise
        except GitError:
            log = _read_log(directory / "ssh.log")
            explained = explain_failure(log, host, credential) if log else None
            if explained is None:
                raise
            raise SshRefused(explained) from None
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _read_log(path: Path) -> str:
    try:
        return path.read_text("utf-8", "replace")[-4000:]
    except OSError:
        return ""

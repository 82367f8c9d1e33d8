"""Running git with nothing from the outside able to change what it does.

Every call gets a fresh environment (no inherited ``GIT_*`` variables, no user or system config, an
empty ``HOME``), command-line config that turns off hooks, fsmonitor, credential helpers, redirects
and every transport the policy does not allow, and a timeout that kills git's whole process group.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from .results import ReaderPolicy


class GitError(Exception):
    """A git command failed, timed out or could not start; ``str()`` is safe to show to users."""


class GitTimeout(GitError):
    """A git command ran past the policy's timeout and was killed."""


def git_environment(home: Path, policy: ReaderPolicy) -> dict[str, str]:
    """The whole environment git runs with; nothing is inherited but ``PATH``."""
    transports = "https:ssh:file" if policy.allow_local_git else "https:ssh"
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home),
        "LANG": "C",
        "LC_ALL": "C",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_ASKPASS": "/bin/false",
        "SSH_ASKPASS": "/bin/false",
        "GIT_SSH_COMMAND": "ssh -o BatchMode=yes",
        "GIT_PROTOCOL_FROM_USER": "0",
        # Older than protocol.*.allow and honoured by every git since 2.12; both are set.
        "GIT_ALLOW_PROTOCOL": transports,
        "GIT_LITERAL_PATHSPECS": "1",
        "GIT_CEILING_DIRECTORIES": str(home.parent),
        "GIT_NO_REPLACE_OBJECTS": "1",
        "GIT_OPTIONAL_LOCKS": "0",
    }


def git_config_args(policy: ReaderPolicy, pinned: Sequence[str] = ()) -> list[str]:
    """``-c`` options placed before every git subcommand."""
    file_allow = "always" if policy.allow_local_git else "never"
    settings = [
        "core.hooksPath=/dev/null",
        "core.fsmonitor=false",
        "core.untrackedCache=false",
        "core.sshCommand=ssh -o BatchMode=yes",
        "credential.helper=",
        "protocol.allow=never",
        "protocol.https.allow=always",
        "protocol.ssh.allow=always",
        f"protocol.file.allow={file_allow}",
        # A redirect could send an allowed host's request to an internal address.
        "http.followRedirects=false",
        "safe.bareRepository=explicit",
        "submodule.recurse=false",
        "fetch.recurseSubmodules=false",
        "fetch.writeCommitGraph=false",
        "gc.auto=0",
        "maintenance.auto=false",
        *(f"http.curloptResolve={entry}" for entry in pinned),
    ]
    args: list[str] = []
    for setting in settings:
        args += ["-c", setting]
    return args


def run_git(
    args: Sequence[str],
    *,
    policy: ReaderPolicy,
    home: Path,
    git_dir: Path | None = None,
    stdin: bytes | None = None,
    pinned: Sequence[str] = (),
    work_tree: Path | None = None,
    config: Sequence[tuple[str, str]] = (),
    identity: tuple[str, str] | None = None,
    extra_environment: Mapping[str, str] | None = None,
) -> bytes:
    """Run one git command and return its stdout; raise ``GitError`` on failure or timeout.

    ``work_tree`` pairs with ``git_dir`` so that a repository's files and its git directory live
    apart. ``config`` entries travel in the environment (never on a command line another process
    can read), for values such as an authorization header. ``identity`` is the (name, email) a
    commit is made with. ``extra_environment`` replaces entries of the environment, such as
    ``GIT_SSH_COMMAND`` for a deploy key (``gitssh``).
    """
    command = ["git", *git_config_args(policy, pinned)]
    if git_dir is not None:
        command.append(f"--git-dir={git_dir}")
    if work_tree is not None:
        command.append(f"--work-tree={work_tree}")
    command += args
    environment = git_environment(home, policy)
    environment.update(extra_environment or {})
    environment["GIT_CONFIG_COUNT"] = str(len(config))
    for index, (key, value) in enumerate(config):
        environment[f"GIT_CONFIG_KEY_{index}"] = key
        environment[f"GIT_CONFIG_VALUE_{index}"] = value
    if identity is not None:
        name, email = identity
        environment.update(
            GIT_AUTHOR_NAME=name, GIT_AUTHOR_EMAIL=email, GIT_COMMITTER_NAME=name, GIT_COMMITTER_EMAIL=email
        )
    try:
        process = subprocess.Popen(
            command,
            cwd=home,
            env=environment,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except OSError as error:
        raise GitError(f"cannot run git: {error}") from error
    try:
        out, err = process.communicate(stdin, timeout=policy.git_timeout_seconds)
    except subprocess.TimeoutExpired as error:
        _kill_group(process)
        raise GitTimeout(f"git {args[0]} timed out after {policy.git_timeout_seconds}s") from error
    except BaseException:
        _kill_group(process)
        raise
    if process.returncode != 0:
        raise GitError(_summarize(err) or f"git {args[0]} exited with status {process.returncode}")
    return out


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    # git starts helpers (ssh, remote-https, upload-pack) that must die with it.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.communicate()


def _summarize(stderr: bytes) -> str:
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    meaningful = [line for line in lines if line.startswith(("fatal:", "error:"))] or lines
    return "; ".join(meaningful[-2:])[:500]

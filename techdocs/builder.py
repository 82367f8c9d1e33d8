"""Running MkDocs on a fetched source tree, in a child process with limits, and checking its output."""

from __future__ import annotations

import contextlib
import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .mkdocs_config import UnsafeConfig, dump_config, find_config, load_config, sanitise_config
from .sandbox import SandboxUnavailable, network_sandbox

LOG_LIMIT = 200_000
PROGRESS_SECONDS = 0.5


class BuildFailed(Exception):
    """The build was refused or failed; ``str()`` is the error shown on the docs page."""

    def __init__(self, message: str, log: str = "") -> None:
        super().__init__(message)
        self.log = log


@dataclass
class BuildLimits:
    timeout_seconds: float
    memory_bytes: int
    max_site_bytes: int
    allowed_plugins: list[str] = field(default_factory=lambda: ["techdocs-core", "search"])
    network_sandbox: str = "auto"


@dataclass
class BuildOutput:
    log: str
    nav: list[dict[str, Any]]


def prepare_config(source_dir: Path, default_name: str, allowed_plugins: list[str]) -> list[str]:
    """Replace the source's mkdocs.yml by its sanitised form; return what was removed (for the log)."""
    found = find_config(source_dir)
    raw = load_config(found.read_text(encoding="utf-8", errors="replace")) if found else {}
    notes = [] if found else ["no mkdocs.yml: using site_name, docs_dir 'docs' and the techdocs-core plugin"]
    config = sanitise_config(raw, source_dir, allowed_plugins, default_name)
    for name in ("mkdocs.yaml", "mkdocs.yml"):
        with contextlib.suppress(FileNotFoundError):
            (source_dir / name).unlink()
    (source_dir / "mkdocs.yml").write_text(dump_config(config), encoding="utf-8")
    if not (source_dir / config.data["docs_dir"]).is_dir():
        raise UnsafeConfig(f"docs_dir {config.data['docs_dir']!r} does not exist in the source")
    return notes + config.warnings


def _limit(memory_bytes: int, file_bytes: int, cpu_seconds: int):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_bytes, file_bytes))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def run_mkdocs(
    source_dir: Path,
    site_dir: Path,
    limits: BuildLimits,
    default_name: str,
    on_output: Callable[[str], None] | None = None,
) -> BuildOutput:
    """Sanitise the configuration and build the site into ``site_dir``; raise ``BuildFailed``.

    ``on_output`` receives the log so far about every ``PROGRESS_SECONDS`` while MkDocs runs.
    """
    try:
        notes = prepare_config(source_dir, default_name, limits.allowed_plugins)
    except UnsafeConfig as error:
        raise BuildFailed(f"Refused: {error}", log=f"refused: {error}\n") from None
    log = "".join(f"greenroom: {note}\n" for note in notes)
    nav_file = source_dir.parent / "nav.json"
    home = source_dir.parent / "home"
    home.mkdir(exist_ok=True)
    # Nothing of the portal's environment (secrets, tokens) reaches MkDocs.
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "LANG": "C.UTF-8"}
    try:
        sandbox, note = network_sandbox(limits.network_sandbox)
    except SandboxUnavailable as error:
        raise BuildFailed(str(error), log=log + f"greenroom: {error}\n") from None
    log += note
    command = [
        *sandbox,
        sys.executable,
        "-I",
        "-m",
        "techdocs.runner",
        str(source_dir / "mkdocs.yml"),
        str(site_dir),
        str(nav_file),
    ]
    started = time.monotonic()
    process = subprocess.Popen(
        command,
        cwd=source_dir,
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=_limit(limits.memory_bytes, limits.max_site_bytes, max(1, int(limits.timeout_seconds) + 1)),
    )
    try:
        output = _collect(process, limits.timeout_seconds, lambda text: on_output(log + text) if on_output else None)
    except subprocess.TimeoutExpired as timeout:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        log += _tail(timeout.output or b"")
        raise BuildFailed(f"MkDocs did not finish within {limits.timeout_seconds:g} seconds", log=log) from None
    log += _tail(output)
    log += f"greenroom: mkdocs exited with status {process.returncode} after {time.monotonic() - started:.1f}s\n"
    if process.returncode != 0:
        reason = "it ran out of memory or was killed" if process.returncode < 0 else _last_error(output)
        raise BuildFailed(f"MkDocs failed: {reason}", log=log)
    check_site(site_dir, limits.max_site_bytes)
    nav = json.loads(nav_file.read_text()) if nav_file.is_file() else []
    return BuildOutput(log=log, nav=nav)


def _collect(process: subprocess.Popen, timeout: float, progress: Callable[[str], None]) -> bytes:
    """The child's whole output, read as it comes; ``progress`` sees it every ``PROGRESS_SECONDS``."""
    chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: chunks.extend(iter(lambda: process.stdout.read1(65536), b"")))
    reader.start()
    deadline = time.monotonic() + timeout
    reported = 0
    while True:
        try:
            process.wait(timeout=min(PROGRESS_SECONDS, max(0.01, deadline - time.monotonic())))
            break
        except subprocess.TimeoutExpired:
            if time.monotonic() >= deadline:
                os.killpg(process.pid, signal.SIGKILL)
                reader.join()
                raise subprocess.TimeoutExpired(process.args, timeout, output=b"".join(chunks)) from None
        if len(chunks) != reported:
            reported = len(chunks)
            progress(_tail(b"".join(chunks)))
    reader.join()
    return b"".join(chunks)


def check_site(site_dir: Path, max_bytes: int) -> tuple[int, int]:
    """Refuse a site holding links or more than ``max_bytes``; return (files, bytes)."""
    if not (site_dir / "index.html").is_file():
        raise BuildFailed("the built site has no index.html")
    files = total = 0
    for directory, subdirectories, filenames in os.walk(site_dir):
        for name in subdirectories + filenames:
            path = Path(directory) / name
            if path.is_symlink():
                raise BuildFailed(f"the built site contains a symbolic link: {path.relative_to(site_dir)}")
        for name in filenames:
            files += 1
            total += (Path(directory) / name).stat().st_size
            if total > max_bytes:
                raise BuildFailed(f"the built site is larger than {max_bytes} bytes")
    return files, total


def _tail(output: bytes) -> str:
    text = output.decode("utf-8", "replace")
    return text if len(text) <= LOG_LIMIT else "…(earlier output cut)…\n" + text[-LOG_LIMIT:]


def _last_error(output: bytes) -> str:
    lines = [line.strip() for line in output.decode("utf-8", "replace").splitlines() if line.strip()]
    errors = [line for line in lines if "Error" in line or line.startswith(("ERROR", "Aborted"))]
    return (errors or lines or ["no output"])[-1][:500]

"""Keeping the MkDocs child process off the network: a new, empty network namespace via ``unshare``.

``unshare -rn`` (util-linux) starts the build in its own user and network namespaces: the only
interface is a loopback that is down, so no plugin, theme or Markdown extension can fetch a URL or
reach the portal's own services. It needs unprivileged user namespaces (or root); where the kernel
refuses them, ``TECHDOCS["NETWORK_SANDBOX"]`` decides: ``auto`` builds anyway and says so in the
build log, ``required`` fails the build, ``off`` never tries.
"""

from __future__ import annotations

import functools
import shutil
import subprocess


class SandboxUnavailable(RuntimeError):
    """``required`` was asked for and ``unshare`` cannot make a network namespace here."""


UNSHARE = ("unshare", "--user", "--map-root-user", "--net", "--")


@functools.cache
def sandbox_available() -> bool:
    """Whether ``unshare`` can make a network namespace here (probed once per process)."""
    if shutil.which("unshare") is None:
        return False
    try:
        probe = subprocess.run([*UNSHARE, "true"], capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    return probe.returncode == 0


def network_sandbox(mode: str) -> tuple[list[str], str]:
    """The command prefix for ``mode`` and a line for the build log; ``SandboxUnavailable`` if required."""
    if mode == "off":
        return [], "greenroom: network isolation is off (TECHDOCS_NETWORK_SANDBOX=off)\n"
    if sandbox_available():
        return [*UNSHARE], "greenroom: building without network access\n"
    if mode == "required":
        raise SandboxUnavailable(
            "the build needs a network sandbox (TECHDOCS_NETWORK_SANDBOX=required) but unshare is not available"
        )
    return [], "greenroom: warning: network isolation is not available here (unshare failed); building with network\n"

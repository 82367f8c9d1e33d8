"""Measuring catalog ingestion: a refresh run in a child process, timed, with its peak memory.

The child runs ``manage.py catalog_refresh``, the same service a Celery worker runs, so its peak
resident memory is the worker's peak for that refresh.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class RunMeasure:
    seconds: float
    peak_rss_mb: float
    exit_code: int
    output: str


def run_measured(args: list[str], cwd: Path) -> RunMeasure:
    """Run ``manage.py ARGS`` in a child process; wall time and that child's own peak RSS."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    output = process.stdout.read().decode(errors="replace") if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss is in kilobytes on Linux.
    return RunMeasure(elapsed, usage.ru_maxrss / 1024, process.returncode, output)

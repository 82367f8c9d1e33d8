"""Measuring catalog ingestion: a refresh run in a child process, timed, with its peak memory.

The child runs ``manage.py catalog_register`` / ``catalog_refresh``, the same service a Celery
worker runs, so its peak resident memory is the worker's peak for that refresh.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from catalog.config import admit_local_root
from catalog.formats.filter_syntax import parse_filters
from catalog.models import Entity
from catalog.services.statistics import refresh_planner_statistics

from .generate import OrgShape, generate_org


@dataclass(frozen=True)
class RunMeasure:
    seconds: float
    peak_rss_mb: float
    exit_code: int
    output: str


class IngestionFailed(RuntimeError):
    """A child ingestion exited non-zero, or stored another number of entities than generated."""


def run_measured(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> RunMeasure:
    """Run ``manage.py ARGS`` in a child process; wall time and that child's own peak RSS.

    ``env`` adds variables to the child's environment.
    """
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, **(env or {})},
    )
    output = process.stdout.read().decode(errors="replace") if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss is in kilobytes on Linux.
    return RunMeasure(elapsed, usage.ru_maxrss / 1024, process.returncode, output)


def ingest_org(size: int, file_count: int, project_dir: Path, say: Callable[[str], None]) -> dict:
    """Generate an organisation of ``size`` entities in ``file_count`` files, ingest it into the
    (emptied) catalog, refresh it unchanged, and return the figures.

    The caller empties the catalog first; the entity count is read through the filter path the API
    uses, so "ingested" means queryable.
    """
    with tempfile.TemporaryDirectory(prefix="greenroom-bench-") as scratch:
        # The operator's own generated catalog, registered as a local git remote.
        admit_local_root(scratch, git=True)
        started = time.perf_counter()
        org = generate_org(Path(scratch) / "org", OrgShape(entities=size, files=file_count))
        say(f"{size} entities in {file_count} file(s): generated in {time.perf_counter() - started:.1f}s")
        target = f"file://{org.root}"
        full = run_measured(["catalog_register", target, "--wait"], project_dir)
        if full.exit_code:
            raise IngestionFailed(f"ingestion failed:\n{full.output[-3000:]}")
        stored = Entity.objects.matching(parse_filters(["metadata.namespace=default"])).count()
        unchanged = run_measured(["catalog_refresh", target], project_dir)
        if unchanged.exit_code:
            raise IngestionFailed(f"refresh failed:\n{unchanged.output[-3000:]}")
        # The job a large refresh queues (catalog.analyze), run here as the worker would run it:
        # no worker consumes the benchmark's queue, and the queries are timed after it.
        started = time.perf_counter()
        refresh_planner_statistics()
        statistics_seconds = time.perf_counter() - started
    # The registered location adds its own generated Location entity.
    if stored != org.entities + 1:
        raise IngestionFailed(f"expected {org.entities + 1} queryable entities after ingestion, found {stored}")
    return {
        "entities": stored,
        "files": file_count,
        "ingest_seconds": round(full.seconds, 2),
        "ingest_entities_per_second": round(stored / full.seconds),
        "ingest_peak_rss_mb": round(full.peak_rss_mb),
        "unchanged_refresh_seconds": round(unchanged.seconds, 2),
        "unchanged_refresh_peak_rss_mb": round(unchanged.peak_rss_mb),
        "statistics_job_seconds": round(statistics_seconds, 2),
    }

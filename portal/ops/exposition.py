"""Building the set of metrics one scrape returns, in one process or across many."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from prometheus_client import REGISTRY, CollectorRegistry, multiprocess, start_http_server


def multiprocess_dir() -> str:
    """The folder processes share their metrics through, or "" when each process keeps its own."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


def process_registry() -> CollectorRegistry:
    """Metrics recorded by this process, or by every process of the container in multiprocess mode."""
    if multiprocess_dir():
        registry = CollectorRegistry(auto_describe=False)
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


def scrape_registry() -> CollectorRegistry:
    """What ``/metrics`` answers: the processes' counters plus the gauges apps register (``portal.registry``)."""
    from portal.registry import metrics_collectors

    registry = CollectorRegistry(auto_describe=False)
    registry.register(process_registry())
    for factory in metrics_collectors():
        registry.register(factory())
    return registry


def start_worker_exporter(port: int, address: str) -> threading.Thread:
    """Serve this worker's job metrics on ``address:port`` (the worker has no web server of its own)."""
    _server, thread = start_http_server(port, addr=address, registry=process_registry())
    return thread


def clear_multiprocess_dir() -> None:
    """Empty the shared folder at start-up: files a previous run left would be added to this run's values."""
    folder = multiprocess_dir()
    if folder:
        for path in Path(folder).glob("*.db"):
            path.unlink(missing_ok=True)


def mark_process_dead(pid: int) -> None:
    """Drop a finished process's live gauges from the shared folder (gunicorn's child_exit hook)."""
    if multiprocess_dir():
        multiprocess.mark_process_dead(pid)

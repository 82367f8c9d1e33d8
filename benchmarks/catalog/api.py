"""The API half of the benchmark: gunicorn as in production, measured from another process."""

from __future__ import annotations

import http.client
import json
import os
import random
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path
from urllib.parse import quote

from .http_load import LatencyClient, Target
from .queries import Scenario, build_scenarios, with_cursor
from .sample import draw_sample


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# Production's settings (gthread workers with 4 threads, access log): what users are served by.
PRODUCTION_CONFIG = "deploy/gunicorn.conf.py"


def start_gunicorn(
    project_dir: Path, workers: int, config: str | None = PRODUCTION_CONFIG
) -> tuple[subprocess.Popen, int]:
    """gunicorn on a free loopback port with ``workers`` workers and DEBUG off.

    ``config`` is a settings file (production's by default). Its access log goes to standard
    output, which is discarded here: written as in production, but not into the figures' output.
    """
    port = _free_port()
    # The UI pages are measured without a session, so reading is opened to anonymous callers.
    env = {**os.environ, "DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1,localhost", "API_ANONYMOUS_READ": "true"}
    process = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", *(["-c", config] if config else []), "portal.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--log-level", "warning",
        ],
        cwd=project_dir,
        env=env,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process, port
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("gunicorn did not start listening within 60 s")


def stop_gunicorn(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def walk_cursor(target: Target, query: str, page: int) -> tuple[str | None, int]:
    """The path of page ``page`` of ``query`` by following ``nextCursor`` (``page - 1`` hops), once.

    Answers ``(None, pages_seen)`` when the server's pages end first.
    """
    connection = http.client.HTTPConnection(target.host, target.port, timeout=120)
    path, seen = query, 1
    base, _, parameters = query.partition("?")
    # Backstage's cursor carries the query; the page size is sent again, as catalog-client does.
    limit = "".join(f"{part}&" for part in parameters.split("&") if part.startswith("limit="))
    try:
        while seen < page:
            connection.request("GET", path, headers=target.headers)
            response = connection.getresponse()
            body = response.read()
            if response.status != 200:
                return None, seen
            cursor = json.loads(body).get("pageInfo", {}).get("nextCursor")
            if not cursor:
                return None, seen
            path = f"{base}?{limit}cursor={quote(cursor, safe='')}"
            seen += 1
    finally:
        connection.close()
    return path, seen


# Cursor paths found in this process, by (query, page): a cursor holds the query's state, not the
# server's, so the load test after the latency run reuses them instead of walking 999 pages again.
_WALKED: dict[tuple[str, int], str] = {}


def resolve_cursors(target: Target, scenarios: list[Scenario], count: int) -> list[Scenario]:
    """Cursor scenarios with their page found; a walk that ends early becomes an error, not a skip,
    since the counts said the page exists."""
    resolved = []
    for scenario in scenarios:
        if scenario.cursor is None or scenario.skipped:
            resolved.append(scenario)
            continue
        key = (scenario.cursor.query, scenario.cursor.page)
        if key in _WALKED:
            path, seen = _WALKED[key], scenario.cursor.page
        else:
            path, seen = walk_cursor(target, *key)
            if path is not None:
                _WALKED[key] = path
        if path is None:
            resolved.append(replace(scenario, skipped=f"ERROR: the cursor walk ended at page {seen}"))
        else:
            resolved.append(with_cursor(scenario, path, count))
    return resolved


def run_api_benchmark(
    project_dir: Path,
    token: str,
    *,
    workers: int,
    requests: int,
    warmup: int,
    limit: int = 50,
    seed: int = 7,
    only: str = "",
    progress: Callable[[dict], None] = lambda row: None,
) -> list[dict]:
    """p50/p95 of every scenario, sequential keep-alive requests from a second process; ``progress``
    is given each row as it is measured (a 250,000-entity run takes a while); ``only`` keeps the
    queries whose name contains it."""
    rng = random.Random(seed)
    scenarios = build_scenarios(draw_sample(rng), rng, count=requests, limit=limit)
    if only:
        scenarios = [scenario for scenario in scenarios if only in scenario.name]
        if not scenarios:
            raise ValueError(f"--only {only!r} names no query")
    process, port = start_gunicorn(project_dir, workers)
    try:
        target = Target("127.0.0.1", port, {"Authorization": f"Bearer {token}", "Connection": "keep-alive"})
        scenarios = resolve_cursors(target, scenarios, requests)
        results = []
        with LatencyClient(target) as client:
            for scenario in scenarios:
                row = {"name": scenario.name, "target_p95_ms": scenario.target_ms, "example": scenario.example}
                row["note"] = scenario.note
                if scenario.skipped:
                    # A skipped query has no figure to meet its target with; a failed walk misses it.
                    failed = scenario.skipped.startswith("ERROR")
                    row |= {"skipped": scenario.skipped, "requests": 0, "errors": int(failed)}
                    row["met"] = False if failed else None
                else:
                    report = client.measure(scenario.requests, warmup)
                    row |= asdict(report)
                    row["met"] = report.errors == 0 and report.p95_ms < scenario.target_ms
                results.append(row)
                progress(row)
    finally:
        stop_gunicorn(process)
    return results


def load_paths(target: Target, *, per_query: int = 50, seed: int = 7) -> list[str]:
    """The latency benchmark's requests, ``per_query`` of each query, cursor pages walked once."""
    rng = random.Random(seed)
    scenarios = resolve_cursors(target, build_scenarios(draw_sample(rng), rng, count=per_query), per_query)
    return [request.path for scenario in scenarios if not scenario.skipped for request in scenario.requests]

"""The load test: N concurrent clients, each its own process and keep-alive connection, mixing UI pages
and API calls against gunicorn for a fixed time; throughput, p50/p95 and errors over all requests.
"""

from __future__ import annotations

import http.client
import multiprocessing
import random
import statistics
import time
from dataclasses import dataclass

from .http_load import Target


@dataclass(frozen=True)
class LoadReport:
    clients: int
    seconds: float
    requests: int
    errors: int
    throughput_rps: float
    p50_ms: float
    p95_ms: float
    # The first few failures as "status path", so an error count is never without a reason.
    error_samples: tuple[str, ...]


def _client(target: Target, paths: list[str], seconds: float, seed: int) -> tuple[list[float], list[str]]:
    rng = random.Random(seed)
    connection = http.client.HTTPConnection(target.host, target.port, timeout=30)
    timings: list[float] = []
    errors: list[str] = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        path = rng.choice(paths)
        started = time.perf_counter()
        try:
            connection.request("GET", path, headers=target.headers)
            response = connection.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as error:
            status = f"{type(error).__name__}"
            connection.close()
            connection = http.client.HTTPConnection(target.host, target.port, timeout=30)
        timings.append((time.perf_counter() - started) * 1000)
        if status != 200:
            errors.append(f"{status} {path}")
    connection.close()
    return timings, errors


def run_load(target: Target, paths: list[str], *, clients: int, seconds: float) -> LoadReport:
    """Run ``clients`` clients for ``seconds`` over ``paths`` (drawn at random, one seed per client)."""
    if not paths:
        raise ValueError("no paths to request: the catalog is empty")
    with multiprocessing.get_context("spawn").Pool(clients) as pool:
        started = time.perf_counter()
        results = pool.starmap(_client, [(target, paths, seconds, seed) for seed in range(clients)])
        elapsed = time.perf_counter() - started
    timings = [timing for client_timings, _ in results for timing in client_timings]
    errors = [error for _, client_errors in results for error in client_errors]
    quantiles = statistics.quantiles(timings, n=100) if len(timings) > 1 else [timings[0]] * 99
    return LoadReport(
        clients=clients,
        seconds=round(elapsed, 1),
        requests=len(timings),
        errors=len(errors),
        throughput_rps=round(len(timings) / elapsed, 1),
        p50_ms=round(quantiles[49], 1),
        p95_ms=round(quantiles[94], 1),
        error_samples=tuple(errors[:5]),
    )

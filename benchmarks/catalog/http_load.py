"""An HTTP load client for the API benchmark: keep-alive connections over loopback, in processes.

Latency is measured per request with one connection in its own process (so the client's own work
never overlaps the server's); throughput with N client processes, each with its own connection.
"""

from __future__ import annotations

import http.client
import multiprocessing
import statistics
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    host: str
    port: int
    headers: dict[str, str]


@dataclass(frozen=True)
class LatencyReport:
    requests: int
    p50_ms: float
    p95_ms: float
    errors: int


def _get(connection: http.client.HTTPConnection, path: str, headers: dict[str, str]) -> int:
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.read()
    return response.status


def _sequential(target: Target, paths: list[str]) -> tuple[list[float], int]:
    connection = http.client.HTTPConnection(target.host, target.port, timeout=60)
    timings, errors = [], 0
    for path in paths:
        started = time.perf_counter()
        status = _get(connection, path, target.headers)
        timings.append((time.perf_counter() - started) * 1000)
        errors += status != 200
    connection.close()
    return timings, errors


def measure_latency(target: Target, paths: list[str], warmup: int = 10) -> LatencyReport:
    """p50/p95 over ``paths`` requested one after another on one keep-alive connection."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        pool.apply(_sequential, (target, paths[:warmup]))
        timings, errors = pool.apply(_sequential, (target, paths))
    quantiles = statistics.quantiles(timings, n=100)
    return LatencyReport(len(timings), round(quantiles[49], 2), round(quantiles[94], 2), errors)


def _for_duration(target: Target, paths: list[str], seconds: float) -> tuple[int, int]:
    connection = http.client.HTTPConnection(target.host, target.port, timeout=60)
    done, errors, index = 0, 0, 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        errors += _get(connection, paths[index % len(paths)], target.headers) != 200
        done += 1
        index += 1
    connection.close()
    return done, errors


def measure_throughput(target: Target, paths: list[str], clients: int, seconds: float) -> tuple[float, int]:
    """Requests per second (and errors) with ``clients`` concurrent keep-alive clients."""
    slices = [paths[i::clients] or paths for i in range(clients)]
    with multiprocessing.get_context("spawn").Pool(clients) as pool:
        results = pool.starmap(_for_duration, [(target, part, seconds) for part in slices])
    return round(sum(done for done, _ in results) / seconds, 1), sum(errors for _, errors in results)

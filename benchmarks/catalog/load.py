"""The load test: N concurrent clients, each its own process and keep-alive connection, mixing UI pages
and API calls against gunicorn for a fixed time; throughput, p50/p95 and errors over all requests.

The requests are the latency benchmark's scenarios (``queries``), so the mix is the query list the
issue names, drawn from the loaded catalog. The issue's bar: 50 clients for 60 s on 2 workers serve
at least 250 requests per second with p95 under 200 ms and no errors.

Client processes are spawned and import this module, so it imports nothing of Django (the paths
are built beforehand, by ``api.load_paths``).
"""

from __future__ import annotations

import http.client
import multiprocessing
import random
import time
from dataclasses import dataclass

from .http_load import Target, percentile

TARGET_CLIENTS = 50
TARGET_SECONDS = 60.0
TARGET_RPS = 250.0
TARGET_P95_MS = 200.0
TARGETS = (
    f"{TARGET_CLIENTS} clients for {TARGET_SECONDS:.0f} s: >= {TARGET_RPS:.0f} req/s, "
    f"p95 < {TARGET_P95_MS:.0f} ms, 0 errors"
)


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

    @property
    def met(self) -> bool:
        """The issue's bar (the client count and duration are part of it: fewer clients is easier)."""
        return (
            self.clients >= TARGET_CLIENTS
            and self.seconds >= TARGET_SECONDS * 0.95
            and self.throughput_rps >= TARGET_RPS
            and self.p95_ms < TARGET_P95_MS
            and self.errors == 0
        )


def _client(
    target: Target, paths: list[str], start_at: float, end_at: float, seed: int
) -> tuple[list[float], list[str]]:
    """Requests from ``start_at`` to ``end_at`` (wall clock, shared by all clients), so every client
    runs in the same window however long the others took to spawn."""
    rng = random.Random(seed)
    connection = http.client.HTTPConnection(target.host, target.port, timeout=30)
    timings: list[float] = []
    errors: list[str] = []
    time.sleep(max(0.0, start_at - time.time()))
    while time.time() < end_at:
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
    """Run ``clients`` clients for ``seconds`` over ``paths`` (drawn at random, one seed per client).

    Throughput is requests over the shared window: spawning 50 client processes takes seconds on a
    small machine, and counting that time would understate what the server served.
    """
    if not paths:
        raise ValueError("no paths to request: the catalog is empty")
    if clients < 1 or seconds <= 0:
        raise ValueError("clients must be at least 1 and seconds above 0")
    with multiprocessing.get_context("spawn").Pool(clients) as pool:
        start_at = time.time() + 2 + clients * 0.1
        tasks = [(target, paths, start_at, start_at + seconds, seed) for seed in range(clients)]
        # A timeout, because a client process that dies leaves Pool waiting for it for ever.
        results = pool.starmap_async(_client, tasks, chunksize=1).get(timeout=start_at - time.time() + seconds + 120)
        elapsed = max(seconds, time.time() - start_at)
    timings = [timing for client_timings, _ in results for timing in client_timings]
    errors = [error for _, client_errors in results for error in client_errors]
    if not timings:
        raise RuntimeError("no request finished: is the server answering?")
    return LoadReport(
        clients=clients,
        seconds=round(elapsed, 1),
        requests=len(timings),
        errors=len(errors),
        throughput_rps=round(len(timings) / elapsed, 1),
        p50_ms=round(percentile(timings, 0.50), 1),
        p95_ms=round(percentile(timings, 0.95), 1),
        error_samples=tuple(errors[:5]),
    )

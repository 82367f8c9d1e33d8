"""An HTTP client for the latency benchmark: one keep-alive connection over loopback, in its own process.

Each request is timed on its own (the client does nothing else while the server works), and its
answer is checked afterwards, outside the timed span: a figure for a 404 or an empty page would
say nothing about the query it names, so every failed check counts as an error with its reason.
The client process is spawned and imports this module: it must not import Django.
"""

from __future__ import annotations

import http.client
import json
import math
import multiprocessing
import time
from dataclasses import dataclass, field

# How a response is checked: JSON entity, JSON {"items": [...]} (with items; "page": possibly none),
# JSON array, facets, owner lookup, HTML.
CHECKS = ("entity", "items", "page", "array", "facets", "owner", "html", "gaps")
ERROR_SAMPLES = 3


@dataclass(frozen=True)
class Target:
    host: str
    port: int
    headers: dict[str, str]


@dataclass(frozen=True)
class Request:
    """One GET and what its answer must hold: ``check`` (one of ``CHECKS``) and text it must contain."""

    path: str
    check: str
    needle: str = ""


@dataclass(frozen=True)
class LatencyReport:
    requests: int
    p50_ms: float
    p95_ms: float
    errors: int
    # The first failures as "reason path", so an error count is never without a reason.
    error_samples: list[str] = field(default_factory=list)


def percentile(timings: list[float], fraction: float) -> float:
    """Nearest-rank percentile: defined for any non-empty sample, one request included.

    ``statistics.quantiles`` needs two points and interpolates past the data on small samples, which
    made tiny benchmark runs fail; nearest rank always answers one of the measured times.
    """
    if not timings:
        raise ValueError("no timings to take a percentile of")
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1], not {fraction}")
    ordered = sorted(timings)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def check_response(status: int, body: bytes, request: Request) -> str | None:
    """Why the answer is not what a user of this query gets, or None when it is."""
    if status != 200:
        return f"status {status}"
    if request.check == "html":
        text = body.decode(errors="replace")
        return None if request.needle in text else f"page lacks {request.needle!r}"
    try:
        data = json.loads(body)
    except ValueError:
        return "body is not JSON"
    if request.check == "items":
        items = data.get("items") if isinstance(data, dict) else None
        return None if items else "no items"
    if request.check == "page":
        items = data.get("items") if isinstance(data, dict) else None
        return None if isinstance(items, list) else "no items list"
    if request.check == "array":
        return None if isinstance(data, list) and data else "empty list"
    if request.check == "facets":
        facets = data.get("facets") if isinstance(data, dict) else None
        return None if facets and all(facets.values()) else "no facet values"
    if request.check == "gaps":
        # A catalog may hold no gaps at all; what the page must have is its list and its counts.
        ok = isinstance(data, dict) and isinstance(data.get("items"), list) and isinstance(data.get("counts"), dict)
        return None if ok else "no ownership-gaps page"
    if request.check == "entity":
        name = data.get("metadata", {}).get("name") if isinstance(data, dict) else None
        return None if name == request.needle else f"entity {name!r}, wanted {request.needle!r}"
    if request.check == "owner":
        entity = data.get("entity") if isinstance(data, dict) else None
        return None if entity and entity.get("name") == request.needle else "owner lookup of another entity"
    raise ValueError(f"unknown check {request.check!r}; one of {CHECKS}")


def _sequential(target: Target, requests: list[Request]) -> tuple[list[float], list[str]]:
    connection = http.client.HTTPConnection(target.host, target.port, timeout=60)
    timings: list[float] = []
    errors: list[str] = []
    for request in requests:
        started = time.perf_counter()
        try:
            connection.request("GET", request.path, headers=target.headers)
            response = connection.getresponse()
            body = response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as error:
            status, body = 0, f"{type(error).__name__}".encode()
            connection.close()
            connection = http.client.HTTPConnection(target.host, target.port, timeout=60)
        timings.append((time.perf_counter() - started) * 1000)
        problem = check_response(status, body, request)
        if problem:
            errors.append(f"{problem}: {request.path}")
    connection.close()
    return timings, errors


class LatencyClient:
    """A client process kept for the whole benchmark (spawned once: starting one costs ~0.1 s)."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self._pool = multiprocessing.get_context("spawn").Pool(1)

    def __enter__(self) -> LatencyClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self._pool.close()
        self._pool.join()

    def _run(self, requests: list[Request]) -> tuple[list[float], list[str]]:
        # A timeout, because a client process that dies leaves Pool waiting for it for ever.
        return self._pool.apply_async(_sequential, (self.target, requests)).get(timeout=120 + 60 * len(requests))

    def measure(self, requests: list[Request], warmup: int) -> LatencyReport:
        """p50/p95 over ``requests`` one after another on one connection, after ``warmup`` unmeasured ones.

        The warm-up repeats the scenario's own first requests, so each worker has run this query
        (plans cached, pages in PostgreSQL's buffers) before timing starts.
        """
        if not requests:
            raise ValueError("no requests to measure")
        if warmup:
            self._run((requests * warmup)[:warmup])
        timings, errors = self._run(requests)
        return LatencyReport(
            requests=len(timings),
            p50_ms=round(percentile(timings, 0.50), 2),
            p95_ms=round(percentile(timings, 0.95), 2),
            errors=len(errors),
            error_samples=errors[:ERROR_SAMPLES],
        )

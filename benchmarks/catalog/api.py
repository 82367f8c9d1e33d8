"""The API half of the benchmark: gunicorn as in production, measured from other processes."""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from catalog.models import Entity

from .http_load import Target, measure_latency, measure_throughput

REQUESTS_PER_SCENARIO = 300
UI_REQUESTS = 100
BASE = "/api/catalog"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(project_dir: Path, workers: int, config: str | None = None) -> tuple[subprocess.Popen, int]:
    """gunicorn on a free loopback port (with ``config``, that settings file, e.g. production's)."""
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
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process, port
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("gunicorn did not start listening within 60 s")


def scenarios(rng: random.Random) -> dict[str, list[str]]:
    """Request paths per scenario, drawn from what is in the catalog."""
    refs = list(Entity.objects.order_by("?").values_list("kind", "namespace", "name")[:REQUESTS_PER_SCENARIO])
    teams = list(Entity.objects.filter(kind="Group").values_list("ref", flat=True))
    components = list(Entity.objects.filter(kind="Component").values_list("name", flat=True)[:2000])
    first_page = f"{BASE}/entities/by-query?limit=50"
    return {
        "by-name": [f"{BASE}/entities/by-name/{k}/{ns}/{quote(name)}" for k, ns, name in refs],
        "by-query first page (50)": [first_page] * REQUESTS_PER_SCENARIO,
        "by-query cursor page (50)": [],  # filled once the server answers (cursors come from it)
        "owner filter": [
            f"{BASE}/entities?filter=relations.ownedBy={quote(rng.choice(teams))}" for _ in range(REQUESTS_PER_SCENARIO)
        ],
        "facets (kind, spec.type)": [f"{BASE}/entity-facets?facet=kind&facet=spec.type"] * REQUESTS_PER_SCENARIO,
        "owner lookup": [
            f"{BASE}/owners/component/default/{quote(rng.choice(components))}" for _ in range(REQUESTS_PER_SCENARIO)
        ],
        "UI: catalog page": [f"/catalog/?page={rng.randint(1, 200)}" for _ in range(UI_REQUESTS)],
        "UI: catalog page, filtered": [
            f"/catalog/?kind=Component&lifecycle=production&page={rng.randint(1, 20)}" for _ in range(UI_REQUESTS)
        ],
        "UI: entity page": [f"/catalog/component/default/{quote(rng.choice(components))}/" for _ in range(UI_REQUESTS)],
    }


def cursor_pages(target: Target, count: int) -> list[str]:
    """Paths of successive cursor pages, walked once through the server."""
    import http.client
    import json

    connection = http.client.HTTPConnection(target.host, target.port, timeout=60)
    paths, path = [], f"{BASE}/entities/by-query?limit=50"
    while len(paths) < count:
        connection.request("GET", path, headers=target.headers)
        body = json.loads(connection.getresponse().read())
        cursor = body["pageInfo"].get("nextCursor")
        if not cursor:
            break
        path = f"{BASE}/entities/by-query?limit=50&cursor={quote(cursor)}"
        paths.append(path)
    connection.close()
    return paths


def run_api_benchmark(project_dir: Path, token: str, *, workers: int, clients: int, seconds: float) -> dict:
    rng = random.Random(7)
    paths = scenarios(rng)
    process, port = start_gunicorn(project_dir, workers)
    try:
        target = Target("127.0.0.1", port, {"Authorization": f"Bearer {token}", "Connection": "keep-alive"})
        paths["by-query cursor page (50)"] = cursor_pages(target, REQUESTS_PER_SCENARIO)
        latency = {name: measure_latency(target, scenario_paths) for name, scenario_paths in paths.items()}
        mixed = [path for name, scenario_paths in paths.items() if not name.startswith("UI") for path in scenario_paths]
        rng.shuffle(mixed)
        rps, errors = measure_throughput(target, mixed, clients, seconds)
    finally:
        process.terminate()
        process.wait(timeout=30)
    return {"latency": latency, "throughput_rps": rps, "throughput_errors": errors, "clients": clients}

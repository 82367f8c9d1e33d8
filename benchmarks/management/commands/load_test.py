"""``manage.py load_test``: concurrent clients browsing the catalog and calling its API through gunicorn.

The defaults are issue 20's load test: 50 clients for 60 s against 2 workers, which should serve at
least 250 requests per second with p95 under 200 ms and no errors. The requests are the latency
benchmark's query list, drawn from the loaded catalog.
"""

from __future__ import annotations

import json as json_module
import tempfile
from dataclasses import asdict
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from benchmarks.catalog.api import load_paths, start_gunicorn, stop_gunicorn
from benchmarks.catalog.generate import OrgShape, generate_org
from benchmarks.catalog.http_load import Target
from benchmarks.catalog.load import TARGETS, run_load
from catalog.config import admit_local_root
from catalog.models import Entity


class Command(BaseCommand):
    help = (
        "Start gunicorn as in production (deploy/gunicorn.conf.py, DEBUG off) on this database and run N "
        "concurrent clients for S seconds, mixing "
        "catalog pages and API calls; print throughput, p50/p95 latency and errors. Exits 1 on any error."
    )

    def add_arguments(self, parser):
        parser.add_argument("--clients", type=int, default=50)
        parser.add_argument("--seconds", type=float, default=60)
        parser.add_argument("--web-workers", type=int, default=2, help="gunicorn worker processes")
        parser.add_argument(
            "--generate", type=int, default=0, metavar="N", help="first load a synthetic catalog of N entities"
        )
        parser.add_argument("--json", metavar="FILE", help="also write the report as JSON")

    def handle(self, *args, clients: int, seconds: float, web_workers: int, generate: int, json: str | None, **opts):
        if connection.vendor != "postgresql":
            raise CommandError(f"load_test measures PostgreSQL, as in production; DATABASE_URL is {connection.vendor}")
        if clients < 1 or seconds <= 0 or web_workers < 1:
            raise CommandError("--clients and --web-workers must be at least 1 and --seconds above 0")
        if generate:
            self._generate(generate)
        if not Entity.objects.filter(kind="Component").exists():
            raise CommandError("the catalog has no components to browse: load one, or pass --generate N")
        process, port = start_gunicorn(Path(settings.BASE_DIR), web_workers)
        try:
            target = Target("127.0.0.1", port, {"Connection": "keep-alive"})
            report = run_load(target, load_paths(target), clients=clients, seconds=seconds)
        finally:
            stop_gunicorn(process)
        self.stdout.write(
            f"{report.clients} clients, {report.seconds}s, {Entity.objects.count()} entities, "
            f"{web_workers} gunicorn workers: {report.requests} requests, {report.throughput_rps} req/s, "
            f"p50 {report.p50_ms} ms, p95 {report.p95_ms} ms, {report.errors} errors"
        )
        self.stdout.write(f"target ({TARGETS}): {'met' if report.met else 'not met'}")
        for sample in report.error_samples:
            self.stdout.write(f"  error: {sample}")
        if json:
            Path(json).write_text(json_module.dumps(asdict(report) | {"met": report.met}, indent=2))
        if report.errors:
            raise CommandError(f"{report.errors} requests failed")

    def _generate(self, size: int) -> None:
        with tempfile.TemporaryDirectory(prefix="greenroom-load-") as scratch:
            # The operator's own generated catalog, registered as a local git remote.
            admit_local_root(scratch, git=True)
            org = generate_org(Path(scratch) / "org", OrgShape(entities=size, files=max(1, min(50, size - 1))))
            call_command("catalog_register", f"file://{org.root}", "--wait", stdout=self.stdout)

"""The catalog's benchmark: synthetic organisations ingested and refreshed, with figures printed."""

from __future__ import annotations

import tempfile
import time
from json import dumps
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from benchmarks.catalog.generate import OrgShape, generate_org
from benchmarks.catalog.ingestion import run_measured
from benchmarks.services.scratch import benchmark_user, empty_catalog
from catalog.config import admit_local_root
from catalog.formats.filter_syntax import parse_filters
from catalog.models import Entity, Location


class Command(BaseCommand):
    help = (
        "Generate synthetic organisations (as git repositories), ingest each from scratch, refresh it "
        "unchanged, and print times, entities per second and the worker's peak memory. It empties the "
        "catalog tables of the database it runs on: point DATABASE_URL at a scratch database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--sizes", default="10000,100000", help="comma-separated entity counts")
        parser.add_argument("--files", default="1,2000", help="comma-separated file counts to spread each size over")
        parser.add_argument("--yes", action="store_true", help="do not ask before emptying the catalog tables")
        parser.add_argument("--json", help="also write the figures to this JSON file")
        parser.add_argument("--api", action="store_true", help="also measure the REST API at each size")
        parser.add_argument(
            "--reuse",
            action="store_true",
            help="with --api: measure the catalog already loaded (no generation or ingestion)",
        )
        parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers for --api")
        parser.add_argument("--clients", type=int, default=8, help="concurrent clients for --api throughput")
        parser.add_argument("--seconds", type=float, default=15.0, help="throughput run length for --api")

    def handle(self, *args, sizes: str, files: str, yes: bool, json: str | None, api: bool, reuse: bool, **options):
        database = settings.DATABASES["default"]["NAME"]
        if not yes and "bench" not in str(database):
            raise CommandError(
                f"this empties the catalog of database {database!r}; use a database whose name contains "
                "'bench' (scripts/benchmark does) or pass --yes"
            )
        call_command("migrate", interactive=False, verbosity=0)
        if reuse:
            if not api:
                raise CommandError("--reuse goes with --api")
            self.stdout.write(f"measuring the {Entity.objects.count()} entities already loaded")
            self._api(options)
            return
        results = []
        for size in [int(value) for value in sizes.split(",")]:
            for file_count in [int(value) for value in files.split(",")]:
                results.append(self._run(size, min(file_count, size)))
                if api:
                    results[-1]["api"] = self._api(options)
        self._print(results)
        if json:
            Path(json).write_text(dumps(results, indent=2))

    def _run(self, size: int, file_count: int) -> dict:
        self._empty()
        with tempfile.TemporaryDirectory(prefix="greenroom-bench-") as scratch:
            # The operator's own generated catalog, registered as a local git remote.
            admit_local_root(scratch, git=True)
            started = time.perf_counter()
            org = generate_org(Path(scratch) / "org", OrgShape(entities=size, files=file_count))
            generated_in = time.perf_counter() - started
            target = f"file://{org.root}"
            self.stdout.write(f"{size} entities in {file_count} file(s): generated in {generated_in:.1f}s")
            full = run_measured(["catalog_register", target, "--wait"], Path(settings.BASE_DIR))
            if full.exit_code:
                raise CommandError(f"ingestion failed:\n{full.output[-3000:]}")
            stored = self._queryable_count()
            unchanged = run_measured(["catalog_refresh", target], Path(settings.BASE_DIR))
            if unchanged.exit_code:
                raise CommandError(f"refresh failed:\n{unchanged.output[-3000:]}")
        # The registered location adds its own generated Location entity.
        expected = org.entities + 1
        if stored != expected:
            raise CommandError(f"expected {expected} queryable entities after ingestion, found {stored}")
        return {
            "database": connection.vendor,
            "entities": stored,
            "files": file_count,
            "ingest_seconds": round(full.seconds, 2),
            "ingest_entities_per_second": round(stored / full.seconds),
            "ingest_peak_rss_mb": round(full.peak_rss_mb),
            "unchanged_refresh_seconds": round(unchanged.seconds, 2),
            "unchanged_refresh_peak_rss_mb": round(unchanged.peak_rss_mb),
        }

    def _api(self, options: dict) -> dict:
        from benchmarks.catalog.api import run_api_benchmark
        from portal.services.tokens import issue_token

        _, token = issue_token(benchmark_user("benchmark"), "benchmark")
        report = run_api_benchmark(
            Path(settings.BASE_DIR),
            token,
            workers=options["web_workers"],
            clients=options["clients"],
            seconds=options["seconds"],
        )
        self.stdout.write(f"  API ({options['web_workers']} gunicorn workers, DEBUG off), sequential keep-alive:")
        for name, figures in report["latency"].items():
            self.stdout.write(
                f"    {name:<28} p50 {figures.p50_ms:>7.2f} ms  p95 {figures.p95_ms:>7.2f} ms"
                f"  ({figures.requests} requests, {figures.errors} errors)"
            )
        self.stdout.write(
            f"    {report['clients']} concurrent clients, mixed requests: {report['throughput_rps']} requests/s, "
            f"{report['throughput_errors']} errors"
        )
        report["latency"] = {name: vars(figures) for name, figures in report["latency"].items()}
        return report

    def _queryable_count(self) -> int:
        """Count through the filter path the API uses, so "queryable" is what is measured."""
        return Entity.objects.matching(parse_filters(["metadata.namespace=default"])).count()

    def _empty(self) -> None:
        """Start each size from an empty catalog (``handle`` checked this is a scratch database)."""
        empty_catalog()
        assert not Location.objects.exists()

    def _print(self, results: list[dict]) -> None:
        header = (
            f"{'entities':>9} {'files':>6} {'ingest s':>9} {'ent/s':>7} {'peak MB':>8} "
            f"{'no-change s':>12} {'peak MB':>8}"
        )
        self.stdout.write("")
        self.stdout.write(f"catalog benchmark on {connection.vendor}")
        self.stdout.write(header)
        for row in results:
            self.stdout.write(
                f"{row['entities']:>9} {row['files']:>6} {row['ingest_seconds']:>9.2f} "
                f"{row['ingest_entities_per_second']:>7} {row['ingest_peak_rss_mb']:>8} "
                f"{row['unchanged_refresh_seconds']:>12.2f} {row['unchanged_refresh_peak_rss_mb']:>8}"
            )

"""``manage.py catalog_benchmark``: ingestion, every query users run and the load test, at catalog sizes."""

from __future__ import annotations

import json as json_module
from dataclasses import asdict
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from benchmarks.catalog.api import load_paths, run_api_benchmark, start_gunicorn, stop_gunicorn
from benchmarks.catalog.http_load import Target
from benchmarks.catalog.ingestion import IngestionFailed, ingest_org
from benchmarks.catalog.ldap import ldap_benchmark
from benchmarks.catalog.load import TARGETS, run_load
from benchmarks.catalog.report import compare, format_comparison, machine_facts, render_markdown
from benchmarks.services.scratch import benchmark_user, empty_catalog
from catalog.models import Entity, Location
from portal.services.tokens import issue_token


def _numbers(value: str, option: str) -> list[int]:
    try:
        numbers = [int(part.replace("_", "")) for part in value.split(",") if part.strip()]
    except ValueError:
        raise CommandError(f"{option} takes comma-separated whole numbers, not {value!r}") from None
    if not numbers or min(numbers) < 1:
        raise CommandError(f"{option} takes numbers of at least 1, not {value!r}")
    return numbers


class Command(BaseCommand):
    help = (
        "For each size: generate a synthetic organisation, ingest it from scratch (in each file count), "
        "refresh it unchanged; with --api time every query of issue 20's list through gunicorn (p50/p95 "
        "against its target), with --load run the load test. It empties the catalog tables of the "
        "database it runs on: point DATABASE_URL at a scratch database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--sizes", default="13800,100000,250000", help="comma-separated entity counts")
        parser.add_argument("--files", default="1,3625", help="comma-separated file counts to spread each size over")
        parser.add_argument("--yes", action="store_true", help="do not ask before emptying the catalog tables")
        parser.add_argument("--json", metavar="FILE", help="write the figures to this JSON file")
        parser.add_argument("--markdown", metavar="FILE", help="write the figures as Markdown tables")
        parser.add_argument("--compare", metavar="FILE", help="print each figure's ratio to this earlier JSON run")
        parser.add_argument("--api", action="store_true", help="time every query at each size")
        parser.add_argument("--load", action="store_true", help="run the load test at each size")
        parser.add_argument(
            "--reuse", action="store_true", help="measure the catalog already loaded (no generation or ingestion)"
        )
        parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers")
        parser.add_argument("--requests", type=int, default=200, help="measured requests per query")
        parser.add_argument("--warmup", type=int, default=20, help="unmeasured requests per query first")
        parser.add_argument("--limit", type=int, default=50, help="page size of the list queries")
        parser.add_argument("--clients", type=int, default=50, help="concurrent clients of the load test")
        parser.add_argument("--seconds", type=float, default=60.0, help="length of the load test")
        parser.add_argument("--only", default="", help="time only the queries whose name contains this text")
        parser.add_argument(
            "--ldap",
            type=int,
            nargs="?",
            const=100_000,
            metavar="USERS",
            help="instead of the sizes: run the ldapOrg provider on a generated slapd directory (default 100000 users)",
        )

    def handle(self, *args, **options):
        self._check(options)
        call_command("migrate", interactive=False, verbosity=0)
        earlier = self._read_earlier(options["compare"])
        project_dir = Path(settings.BASE_DIR)
        report = {
            "machine": machine_facts(
                project_dir, workers=options["web_workers"], requests=options["requests"], warmup=options["warmup"]
            ),
            "ingestion": [],
            "api": [],
            "load": [],
        }
        if options["ldap"]:
            self._ldap(report, options["ldap"], project_dir)
        elif options["reuse"]:
            self.stdout.write(f"measuring the {Entity.objects.count()} entities already loaded")
            self._measure(report, options)
        else:
            for size in _numbers(options["sizes"], "--sizes"):
                for file_count in _numbers(options["files"], "--files"):
                    empty_catalog()
                    assert not Location.objects.exists()
                    try:
                        row = ingest_org(size, min(file_count, size - 1), project_dir, self.stdout.write)
                    except IngestionFailed as error:
                        raise CommandError(str(error)) from None
                    report["ingestion"].append(row)
                    self.stdout.write(
                        f"  ingested in {row['ingest_seconds']}s ({row['ingest_entities_per_second']} entities/s, "
                        f"peak {row['ingest_peak_rss_mb']} MB); unchanged refresh {row['unchanged_refresh_seconds']}s"
                    )
                # Queries once per size, on the last file count's catalog (the same entities either way).
                self._measure(report, options)
        self._write(report, options, earlier)

    def _ldap(self, report: dict, users: int, project_dir: Path) -> None:
        empty_catalog()
        try:
            row = ldap_benchmark(users, project_dir, self.stdout.write)
        except (IngestionFailed, RuntimeError) as error:
            raise CommandError(str(error)) from None
        report["ldap"] = [row]
        self.stdout.write(
            f"  ldapOrg run: {row['users']} users, {row['groups']} groups: provider {row['provider_run_seconds']}s, "
            f"process {row['run_seconds']}s (peak {row['run_peak_rss_mb']} MB); unchanged run provider "
            f"{row['unchanged_provider_run_seconds']}s, process {row['unchanged_run_seconds']}s "
            f"(peak {row['unchanged_run_peak_rss_mb']} MB); statistics job {row['statistics_job_seconds']}s"
        )

    def _check(self, options: dict) -> None:
        database = settings.DATABASES["default"]["NAME"]
        if not options["reuse"] and not options["yes"] and "bench" not in str(database):
            raise CommandError(
                f"this empties the catalog of database {database!r}; use a database whose name contains "
                "'bench' (scripts/benchmark does) or pass --yes"
            )
        if options["ldap"] is not None and options["ldap"] < 1:
            raise CommandError("--ldap takes a number of users of at least 1")
        if options["reuse"] and not (options["api"] or options["load"]):
            raise CommandError("--reuse measures the loaded catalog: give --api, --load or both")
        for name in ("web_workers", "requests", "limit", "clients"):
            if options[name] < 1:
                raise CommandError(f"--{name.replace('_', '-')} must be at least 1")
        if options["warmup"] < 0 or options["seconds"] <= 0:
            raise CommandError("--warmup must be 0 or more and --seconds above 0")

    def _read_earlier(self, path: str | None) -> dict | None:
        """Read ``--compare`` before the run, so a missing or broken file fails in seconds, not hours."""
        if not path:
            return None
        try:
            return json_module.loads(Path(path).read_text())
        except (OSError, ValueError) as error:
            raise CommandError(f"--compare: cannot read {path}: {error}") from None

    def _measure(self, report: dict, options: dict) -> None:
        entities = Entity.objects.count()
        if options["api"]:
            _, token = issue_token(benchmark_user("benchmark"), "benchmark")
            self.stdout.write(f"  timing every query at {entities} entities ({options['requests']} requests each)")
            rows = run_api_benchmark(
                Path(settings.BASE_DIR),
                token,
                workers=options["web_workers"],
                requests=options["requests"],
                warmup=options["warmup"],
                limit=options["limit"],
                only=options["only"],
                progress=self._progress,
            )
            report["api"].append({"entities": entities, "scenarios": rows})
        if options["load"]:
            process, port = start_gunicorn(Path(settings.BASE_DIR), options["web_workers"])
            try:
                target = Target("127.0.0.1", port, {"Connection": "keep-alive"})
                paths = load_paths(target)
                load = run_load(target, paths, clients=options["clients"], seconds=options["seconds"])
            finally:
                stop_gunicorn(process)
            self.stdout.write(
                f"  load test: {load.clients} clients, {load.seconds}s: {load.throughput_rps} req/s, "
                f"p95 {load.p95_ms} ms, {load.errors} errors ({'met' if load.met else 'not met'}: {TARGETS})"
            )
            report["load"].append({"entities": entities, **asdict(load), "met": load.met, "targets": TARGETS})

    def _progress(self, row: dict) -> None:
        figures = row.get("skipped") or f"p50 {row['p50_ms']:>7.2f} ms  p95 {row['p95_ms']:>7.2f} ms"
        self.stdout.write(f"    {row['name']:<58} {figures}  {row['errors']} errors")
        self.stdout.flush()

    def _write(self, report: dict, options: dict, earlier: dict | None) -> None:
        markdown = render_markdown(report)
        self.stdout.write("")
        self.stdout.write(markdown)
        if options["json"]:
            Path(options["json"]).write_text(json_module.dumps(report, indent=2) + "\n")
        if options["markdown"]:
            Path(options["markdown"]).write_text(markdown)
        if earlier is not None:
            self.stdout.write("compared with " + options["compare"] + ":")
            for line in format_comparison(compare(earlier, report)):
                self.stdout.write("  " + line)
        errors = sum(row["errors"] for run in report["api"] for row in run["scenarios"])
        errors += sum(run["errors"] for run in report["load"])
        if errors:
            # Written first, so the failing answers can be read; then a non-zero exit.
            raise CommandError(f"{errors} requests failed their checks: the figures above are not of real answers")

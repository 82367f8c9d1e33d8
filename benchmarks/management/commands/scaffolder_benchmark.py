"""Time scaffolder runs: one run of a 200-file skeleton from submit to finished, then 20 at once."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from benchmarks.scaffolder import run_benchmark


class Command(BaseCommand):
    help = (
        "Times one scaffolder run of a large skeleton from submit to finished, then many concurrent runs. "
        "With --worker the runs go to Celery (start workers first); otherwise they run in threads here."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--files", type=int, default=200, help="files in the skeleton (default 200)")
        parser.add_argument("--runs", type=int, default=20, help="concurrent runs (default 20)")
        parser.add_argument("--worker", action="store_true", help="run on Celery workers instead of threads")
        parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for workers")

    def handle(self, *args, files: int, runs: int, worker: bool, timeout: float, **options) -> None:
        if files < 2 or runs < 1:
            raise CommandError("--files must be at least 2 and --runs at least 1")
        report = run_benchmark(files=files, runs=runs, worker=worker, timeout=timeout)
        for line in report.lines():
            self.stdout.write(line)
        if report.errors:
            raise CommandError(f"{len(report.errors)} runs did not complete")
